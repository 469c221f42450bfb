#include "storage/EventCatalog.h"

#include <QCoreApplication>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QRegularExpression>
#include <algorithm>

namespace outhook {

namespace {

QString tr(const char* text)
{
    return QCoreApplication::translate("EventCatalog", text);
}

QList<EventType> loadBuiltins()
{
    QList<EventType> out;
    QFile f(QStringLiteral(":/events/catalog.json"));
    if (!f.open(QIODevice::ReadOnly))
        qFatal("outhook: the built-in event catalog resource is missing");
    const QJsonArray kinds = QJsonDocument::fromJson(f.readAll()).object().value(QStringLiteral("kinds")).toArray();
    for (const QJsonValue& k : kinds) {
        const QJsonObject kind = k.toObject();
        const QString kindName = kind.value(QStringLiteral("kind")).toString();
        for (const QJsonValue& t : kind.value(QStringLiteral("types")).toArray()) {
            const QJsonObject type = t.toObject();
            out.append({type.value(QStringLiteral("name")).toString(), kindName,
                        type.value(QStringLiteral("description")).toString(),
                        type.value(QStringLiteral("sample")).toObject(), true});
        }
    }
    return out;
}

void sortTypes(QList<EventType>& types)
{
    std::sort(types.begin(), types.end(), [](const EventType& a, const EventType& b) {
        return a.kind != b.kind ? a.kind < b.kind : a.name < b.name;
    });
}

} // namespace

const QList<EventType>& EventCatalog::builtinTypes()
{
    static const QList<EventType> builtins = loadBuiltins();
    return builtins;
}

QString EventCatalog::checkTypeName(const QString& name)
{
    static const QRegularExpression re(QStringLiteral("^[a-z][a-z0-9_]*(\\.[a-z][a-z0-9_]*)+$"));
    if (name.isEmpty())
        return tr("Event type is required");
    if (name.size() > 100)
        return tr("Event type must be at most 100 characters");
    if (!re.match(name).hasMatch())
        return tr("Event type must look like kind.action, in lower case (for example invoice.paid)");
    return {};
}

QString EventCatalog::checkKind(const QString& kind)
{
    static const QRegularExpression re(QStringLiteral("^[a-z][a-z0-9_]*$"));
    if (kind.isEmpty())
        return tr("Kind is required");
    if (kind.size() > 50 || !re.match(kind).hasMatch())
        return tr("Kind must be a lower-case word of at most 50 characters (letters, digits, _)");
    return {};
}

Result<QList<EventType>> EventCatalog::list() const
{
    QList<EventType> out = builtinTypes();
    QSqlQuery q = m_db->prepare(QStringLiteral("SELECT name, kind, description, sample FROM event_types"));
    if (!q.exec())
        return Database::queryError(q, tr("listing event types"));
    while (q.next()) {
        out.append({q.value(0).toString(), q.value(1).toString(), q.value(2).toString(),
                    QJsonDocument::fromJson(q.value(3).toString().toUtf8()).object(), false});
    }
    sortTypes(out);
    return out;
}

Result<QSet<QString>> EventCatalog::names() const
{
    const auto all = list();
    if (!all)
        return all.error();
    QSet<QString> out;
    for (const EventType& t : *all)
        out.insert(t.name);
    return out;
}

Result<EventType> EventCatalog::find(const QString& name) const
{
    // On every emit: one indexed row, not the whole catalog (listing it was 5% of the ingest path).
    for (const EventType& t : builtinTypes()) {
        if (t.name == name)
            return t;
    }
    QSqlQuery& q =
        m_db->statement(QStringLiteral("SELECT name, kind, description, sample FROM event_types WHERE name = ?"));
    q.addBindValue(name);
    if (!q.exec())
        return Database::queryError(q, tr("listing event types"));
    std::optional<EventType> found;
    if (q.next())
        found = EventType{q.value(0).toString(), q.value(1).toString(), q.value(2).toString(),
                          QJsonDocument::fromJson(q.value(3).toString().toUtf8()).object(), false};
    q.finish();
    if (!found)
        return Error::notFound(tr("Unknown event type \"%1\"").arg(name));
    return *found;
}

Result<EventType> EventCatalog::add(const EventType& type)
{
    FieldErrors errors;
    if (QString e = checkTypeName(type.name); !e.isEmpty())
        errors.append({QStringLiteral("name"), e});
    if (QString e = checkKind(type.kind); !e.isEmpty())
        errors.append({QStringLiteral("kind"), e});
    if (type.description.size() > 500)
        errors.append({QStringLiteral("description"), tr("Description must be at most 500 characters")});
    const QByteArray sample = QJsonDocument(type.sample).toJson(QJsonDocument::Compact);
    if (sample.size() > 64 * 1024)
        errors.append({QStringLiteral("sample"), tr("Sample payload must be at most 64 KiB")});
    if (!errors.isEmpty())
        return Error::validation(errors);
    if (find(type.name))
        return Error::conflict(tr("Event type \"%1\" already exists").arg(type.name));

    QSqlQuery q = m_db->prepare(
        QStringLiteral("INSERT INTO event_types (name, kind, description, sample, created_at) VALUES (?, ?, ?, ?, ?)"));
    q.addBindValue(type.name);
    q.addBindValue(type.kind);
    // A type added without a description (e.g. POST /api/v1/webhooks/events with only a name) has a null
    // QString, which binds as SQL NULL against a NOT NULL column; found by fuzz_api.
    q.addBindValue(type.description.isNull() ? QStringLiteral("") : type.description);
    q.addBindValue(QString::fromUtf8(sample));
    q.addBindValue(m_clock.nowMs());
    if (!q.exec())
        return Database::queryError(q, tr("registering event type %1").arg(type.name));
    EventType out = type;
    out.builtin = false;
    return out;
}

} // namespace outhook
