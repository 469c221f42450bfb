#include "MainWindow.h"

#include "storage/Database.h"
#include "storage/EventCatalog.h"
#include "storage/WebhookStore.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QMessageBox>

using namespace outhook;

int main(int argc, char* argv[])
{
    QApplication app(argc, argv);
    QApplication::setOrganizationName(QStringLiteral("Outhook"));
    QApplication::setApplicationName(QStringLiteral("outhook"));
    QApplication::setApplicationDisplayName(QStringLiteral("Outhook"));
    QApplication::setApplicationVersion(QStringLiteral(OUTHOOK_VERSION));

    QCommandLineParser parser;
    parser.setApplicationDescription(QApplication::translate("main", "Outhook: manage and debug outbound webhooks."));
    parser.addHelpOption();
    parser.addVersionOption();
    const QCommandLineOption dbOption(
        QStringLiteral("db"), QApplication::translate("main", "Database URL or SQLite path."), QStringLiteral("url"));
    parser.addOption(dbOption);
    parser.process(app);

    const auto url = DatabaseUrl::parse(DatabaseUrl::resolve(parser.value(dbOption)));
    if (!url) {
        QMessageBox::critical(nullptr, QApplication::translate("main", "Outhook"), url.error().message);
        return 2;
    }
    const auto db = Database::open(*url);
    if (!db) {
        QMessageBox::critical(nullptr, QApplication::translate("main", "Cannot open the database"), db.error().message);
        return 5;
    }
    SystemClock clock;
    EventCatalog catalog(*db, clock);
    WebhookStore webhooks(*db, catalog, clock);

    ui::MainWindow window(webhooks, url->displayString());
    window.show();
    return app.exec();
}
