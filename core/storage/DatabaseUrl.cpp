#include "storage/DatabaseUrl.h"

#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>
#include <QStandardPaths>
#include <QUrl>

namespace outhook {

namespace {
QString tr(const char* text)
{
    return QCoreApplication::translate("DatabaseUrl", text);
}
} // namespace

Result<DatabaseUrl> DatabaseUrl::parse(const QString& text)
{
    const QString t = text.trimmed();
    if (t.isEmpty())
        return Error::usage(tr("The database URL is empty"));
    DatabaseUrl out;
    if (t.startsWith(QLatin1String("postgres://")) || t.startsWith(QLatin1String("postgresql://"))) {
        const QUrl u(t, QUrl::StrictMode);
        if (!u.isValid() || u.host().isEmpty())
            return Error::usage(tr("The PostgreSQL URL must look like postgres://user:password@host:5432/database"));
        out.backend = Backend::Postgres;
        out.host = u.host();
        out.port = u.port(5432);
        out.user = u.userName(QUrl::FullyDecoded);
        out.password = u.password(QUrl::FullyDecoded);
        out.databaseName = u.path().mid(1);
        if (out.databaseName.isEmpty() || out.databaseName.contains(QLatin1Char('/')))
            return Error::usage(tr("The PostgreSQL URL must name a database, like postgres://host/outhook"));
        return out;
    }
    QString path = t;
    if (t.startsWith(QLatin1String("sqlite://"))) {
        path = t.mid(int(qstrlen("sqlite://")));
        if (!path.startsWith(QLatin1Char('/')))
            return Error::usage(tr("An sqlite:// URL needs an absolute path, like sqlite:///home/me/outhook.db"));
    } else if (t.contains(QLatin1String("://"))) {
        return Error::usage(tr("Unsupported database URL scheme; use sqlite:///path or postgres://..."));
    }
    out.backend = Backend::Sqlite;
    out.path = QFileInfo(path).absoluteFilePath();
    return out;
}

QString DatabaseUrl::defaultSqlitePath()
{
    const QString dir = QStandardPaths::writableLocation(QStandardPaths::AppDataLocation);
    return QDir(dir).filePath(QStringLiteral("outhook.db"));
}

QString DatabaseUrl::resolve(const QString& flagValue)
{
    if (!flagValue.isEmpty())
        return flagValue;
    const QString env = qEnvironmentVariable("OUTHOOK_DB");
    if (!env.isEmpty())
        return env;
    return defaultSqlitePath();
}

QString DatabaseUrl::displayString() const
{
    if (backend == Backend::Sqlite)
        return path;
    QString s = QStringLiteral("postgres://");
    if (!user.isEmpty())
        s += user + (password.isEmpty() ? QString() : QStringLiteral(":***")) + QLatin1Char('@');
    return s + host + QLatin1Char(':') + QString::number(port) + QLatin1Char('/') + databaseName;
}

} // namespace outhook
