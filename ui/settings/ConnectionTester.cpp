#include "settings/ConnectionTester.h"

#include "storage/Database.h"
#include "storage/DatabaseUrl.h"

#include <QDir>
#include <QFileInfo>

namespace outhook::ui {

ConnectionTester::ConnectionTester(QObject* parent)
    : QObject(parent)
{}

ConnectionTester::~ConnectionTester()
{
    if (m_thread)
        m_thread->wait();
}

std::pair<bool, QString> ConnectionTester::check(const QString& text)
{
    const auto url = DatabaseUrl::parse(text.trimmed().isEmpty() ? DatabaseUrl::defaultSqlitePath() : text.trimmed());
    if (!url)
        return {false, url.error().message};
    if (url->backend == DatabaseUrl::Backend::Sqlite && !QFileInfo::exists(url->path)) {
        // Opening would create the file; a test only says whether it could be.
        QFileInfo dir(QFileInfo(url->path).absolutePath());
        while (!dir.exists() && dir.absoluteFilePath() != QDir::rootPath())
            dir = QFileInfo(dir.absolutePath());
        if (!dir.isDir() || !dir.isWritable())
            return {false, tr("Cannot create %1: %2 is not a writable folder").arg(url->path, dir.absoluteFilePath())};
        return {true, tr("%1 does not exist yet; Outhook will create it when it starts").arg(url->path)};
    }
    if (url->backend == DatabaseUrl::Backend::Sqlite && QFileInfo(url->path).isFile() &&
        QFileInfo(url->path).size() == 0) {
        // Opening would write SQLite's header into it; say what will happen instead.
        if (!QFileInfo(url->path).isWritable())
            return {false, tr("%1 is empty and not writable").arg(url->path)};
        return {true, tr("%1 is empty; Outhook will set it up when it starts").arg(url->path)};
    }
    Database::Options options;
    options.migrate = false;
    options.requireCurrentSchema = false;
    const auto db = Database::open(*url, options);
    if (!db)
        return {false, db.error().message};
    const auto version = (*db)->schemaVersion();
    if (!version)
        return {false, version.error().message};
    const int latest = Database::latestSchemaVersion();
    const QString where = url->displayString();
    if (*version > latest)
        return {
            false,
            tr("%1 has schema version %2, newer than this Outhook supports (%3)").arg(where).arg(*version).arg(latest)};
    if (*version == 0)
        return {true, tr("Connected to %1; it is empty and Outhook will set it up").arg(where)};
    if (*version < latest)
        return {true, tr("Connected to %1; its schema (version %2) will be upgraded to version %3 at the next start")
                          .arg(where)
                          .arg(*version)
                          .arg(latest)};
    return {true, tr("Connected to %1").arg(where)};
}

void ConnectionTester::test(const QString& text)
{
    if (isRunning())
        return;
    QPointer<ConnectionTester> self(this);
    m_thread = QThread::create([self, text] {
        const auto [ok, message] = check(text);
        if (self)
            QMetaObject::invokeMethod(
                self.data(),
                [self, ok = ok, message = message] {
                    if (self)
                        Q_EMIT self->finished(ok, message);
                },
                Qt::QueuedConnection);
    });
    m_thread->setObjectName(QStringLiteral("outhook-connection-test"));
    connect(m_thread, &QThread::finished, m_thread, &QObject::deleteLater);
    m_thread->start();
}

} // namespace outhook::ui
