#include "AppContext.h"
#include "MainWindow.h"
#include "SettingsDialog.h"
#include "SingleInstance.h"
#include "Translations.h"
#include "settings/PersonalSettings.h"

#include "delivery/CurlTransport.h"
#include "storage/Database.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QFileInfo>
#include <QMessageBox>

using namespace outhook;

namespace {
// Gives main()'s strings a context that lupdate can see (a free tr() has none).
struct Main
{
    Q_DECLARE_TR_FUNCTIONS(Main)
};
} // namespace

int main(int argc, char* argv[])
{
    QApplication app(argc, argv);
    QApplication::setOrganizationName(QStringLiteral("Outhook"));
    QApplication::setApplicationName(QStringLiteral("outhook"));
    QApplication::setApplicationDisplayName(QStringLiteral("Outhook"));
    QApplication::setApplicationVersion(QStringLiteral(OUTHOOK_VERSION));
    QApplication::setWindowIcon(QIcon(QStringLiteral(":/outhook.svg")));
    QGuiApplication::setDesktopFileName(QStringLiteral("outhook"));
    ui::installTranslations(app, ui::languageSetting());

    QCommandLineParser parser;
    parser.setApplicationDescription(Main::tr("Outhook: manage and debug outbound webhooks."));
    parser.addHelpOption();
    parser.addVersionOption();
    const QCommandLineOption dbOption(QStringLiteral("db"), Main::tr("Database URL or SQLite path."),
                                      QStringLiteral("url"));
    const QCommandLineOption noEngine(
        QStringLiteral("no-engine"), Main::tr("Do not send deliveries from this app (outhookd serve runs elsewhere)."));
    const QCommandLineOption caFile(QStringLiteral("ca-file"), Main::tr("Extra trusted CA certificates (PEM)."),
                                    QStringLiteral("pem"));
    const QCommandLineOption allow(QStringLiteral("allow-destination"),
                                   Main::tr("Allow a private or loopback range, e.g. 127.0.0.0/8."),
                                   QStringLiteral("cidr"));
    for (const auto* o : {&dbOption, &noEngine, &caFile, &allow})
        parser.addOption(*o);
    parser.process(app);

    // Personal settings (Settings dialog) first; the flags add to them or override them.
    const ui::PersonalSettings personal = ui::PersonalSettings::load();
    CurlTransport::Options transportOptions;
    for (const QString& file : parser.values(caFile)) {
        if (!QFileInfo(file).isReadable()) {
            QMessageBox::critical(nullptr, Main::tr("Outhook"),
                                  Main::tr("--ca-file %1: not a readable file").arg(file));
            return 2;
        }
        transportOptions.caFiles << file;
    }
    for (const QString& cidr : parser.values(allow)) {
        if (!transportOptions.policy.allow(cidr)) {
            QMessageBox::critical(nullptr, Main::tr("Outhook"),
                                  Main::tr("--allow-destination %1: not an address or CIDR").arg(cidr));
            return 2;
        }
    }
    // A saved CA file that has gone away must not lock the user out of the Settings that would fix it.
    QStringList skipped;
    for (const QString& file : personal.caFiles) {
        if (QFileInfo(file).isReadable())
            transportOptions.caFiles << file;
        else
            skipped << Main::tr("CA file %1 is not readable").arg(file);
    }
    for (const QString& cidr : personal.allowedDestinations) {
        if (!transportOptions.policy.allow(cidr))
            skipped << Main::tr("%1 is not an address or CIDR").arg(cidr);
    }
    if (!skipped.isEmpty())
        QMessageBox::warning(nullptr, Main::tr("Outhook"),
                             Main::tr("Some network settings were skipped (Settings → Network):\n%1")
                                 .arg(skipped.join(QLatin1Char('\n'))));

    QString flag = parser.value(dbOption);
    if (flag.isEmpty() && qEnvironmentVariableIsEmpty("OUTHOOK_DB"))
        flag = personal.databaseUrl;
    const auto url = DatabaseUrl::parse(DatabaseUrl::resolve(flag));
    if (!url) {
        QMessageBox::critical(nullptr, Main::tr("Outhook"), url.error().message);
        return 2;
    }

    // A second `outhook` on the same database hands over to the first and exits.
    SingleInstance instance(url->displayString());
    if (instance.forwardToRunning(QByteArrayLiteral("activate")))
        return 0;
    instance.listen();

    Database::Options dbOptions;
    dbOptions.durability = personal.durability;
    dbOptions.useKeychain = true; // the desktop app also finds the master key in the OS keychain
    const auto db = Database::open(*url, dbOptions);
    if (!db) {
        QMessageBox::critical(nullptr, Main::tr("Cannot open the database"), db.error().message);
        return 5;
    }

    SystemClock clock;
    StorageWorker storage(*db, clock);
    const TransportFactory transport = [transportOptions] {
        return std::unique_ptr<Transport>(new CurlTransport(transportOptions));
    };
    storage.setTransportFactory(transport);

    ui::AppContext context;
    context.db = *db;
    context.clock = &clock;
    context.storage = &storage;
    context.databaseName = url->displayString();
    if (!parser.isSet(noEngine) && personal.runEngine) {
        context.makeEngine = [db = *db, &clock, transport] {
            return std::make_unique<Engine>(db, clock, Dispatcher::Options(), transport);
        };
    }
    ui::MainWindow window(context);
    QObject::connect(&instance, &SingleInstance::messageReceived, &window,
                     [&window](const QByteArray&) { window.bringToFront(); });
    window.show();
    return app.exec();
}
