#include "storage/SecretColumns.h"

#include "storage/Database.h"

#include <QCoreApplication>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSqlQuery>

namespace outhook::secretcolumns {

namespace {

QString tr(const char* text)
{
    return QCoreApplication::translate("SecretColumns", text);
}

Result<QString> openWith(const security::SecretBox* box, const QString& stored, const QString& context)
{
    if (!security::SecretBox::isSealed(stored))
        return stored;
    if (!box)
        return Error::storage(tr("%1 is encrypted, but no master key is loaded").arg(context));
    return box->open(stored, context);
}

} // namespace

QString headersToStorage(const HeaderList& headers, const security::SecretBox& box)
{
    QJsonArray a;
    for (const Header& h : headers)
        a.append(QJsonObject{{QStringLiteral("name"), h.name},
                             {QStringLiteral("value"), h.secret ? box.seal(h.value, kHeaders) : h.value},
                             {QStringLiteral("secret"), h.secret}});
    return QString::fromUtf8(QJsonDocument(a).toJson(QJsonDocument::Compact));
}

Result<HeaderList> headersFromStorage(const QString& text, const security::SecretBox* box)
{
    HeaderList out;
    for (const QJsonValue& v : QJsonDocument::fromJson(text.toUtf8()).array()) {
        const QJsonObject o = v.toObject();
        Header h{o.value(QStringLiteral("name")).toString(), o.value(QStringLiteral("value")).toString(),
                 o.value(QStringLiteral("secret")).toBool()};
        if (h.secret) {
            auto value = openWith(box, h.value, kHeaders);
            if (!value)
                return value.error();
            h.value = *value;
        }
        out.append(h);
    }
    return out;
}

Status resealAll(QSqlDatabase& db, const security::SecretBox* from, const security::SecretBox& to)
{
    QSqlQuery q(db);
    q.setForwardOnly(true);
    if (!q.exec(QStringLiteral("SELECT id, secret, previous_secret, auth_secret, headers FROM webhooks ORDER BY id")))
        return Database::queryError(q, tr("reading webhook secrets"));
    struct Row
    {
        qint64 id;
        QString secret, previous, auth, headers;
    };
    QList<Row> rows;
    while (q.next()) {
        const qint64 id = q.value(0).toLongLong();
        auto secret = openWith(from, q.value(1).toString(), kSecret);
        auto previous = openWith(from, q.value(2).toString(), kPreviousSecret);
        auto auth = openWith(from, q.value(3).toString(), kAuthSecret);
        auto headers = headersFromStorage(q.value(4).toString(), from);
        for (const Error* e : {secret ? nullptr : &secret.error(), previous ? nullptr : &previous.error(),
                               auth ? nullptr : &auth.error(), headers ? nullptr : &headers.error()}) {
            if (e)
                return Error::storage(tr("Webhook %1: %2").arg(id).arg(e->message));
        }
        rows.append({id, to.seal(*secret, kSecret), to.seal(*previous, kPreviousSecret), to.seal(*auth, kAuthSecret),
                     headersToStorage(*headers, to)});
    }
    q.finish();
    QSqlQuery u(db);
    u.prepare(QStringLiteral(
        "UPDATE webhooks SET secret = ?, previous_secret = ?, auth_secret = ?, headers = ? WHERE id = ?"));
    for (const Row& r : std::as_const(rows)) {
        for (const QVariant& v : QVariantList{r.secret, r.previous, r.auth, r.headers, r.id})
            u.addBindValue(v);
        if (!u.exec())
            return Database::queryError(u, tr("encrypting the secrets of webhook %1").arg(r.id));
    }
    return {};
}

} // namespace outhook::secretcolumns
