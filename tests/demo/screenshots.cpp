// Renders the app on a demo database and saves the screenshots in docs/screenshots/:
// the main window with an expanded failed delivery, the failed attempt's details, the editor and the
// health dashboard, then the main window once more in German (main-de.png) to catch labels that a longer
// translation cuts off.
// Run it through `scripts/outhook screenshot` (xvfb-run), not by hand.
#include "AboutDialog.h"
#include "AppContext.h"
#include "DemoData.h"
#include "MainWindow.h"
#include "SettingsDialog.h"
#include "Translations.h"
#include "settings/TeamPage.h"

#include "delivery/CurlTransport.h"
#include "health/HealthDashboard.h"
#include "log/DeliveryLogModel.h"
#include "log/LogHistoryView.h"
#include "webhooks/WebhookEditor.h"
#include "webhooks/WebhookListModel.h"
#include "webhooks/WebhookListPanel.h"

#include <QApplication>
#include <QDir>
#include <QSignalSpy>
#include <QTabWidget>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>
#include <QTreeView>
#include <cstdio>

using namespace outhook;

namespace {

bool save(QWidget* w, const QString& path)
{
    QTest::qWait(300); // let the last paints and lazy loads land
    const bool ok = w->grab().save(path);
    std::printf("%s %s\n", ok ? "saved" : "FAILED", qPrintable(path));
    return ok;
}

// One set of screenshots of a fresh main window in the current language: main-window.png,
// failed-attempt.png and editor.png, or with a suffix ("-de") main-de.png and editor-de.png.
bool shoot(const ui::AppContext& ctx, const QString& outDir, const QString& suffix)
{
    const auto fail = [](const char* why) {
        std::fprintf(stderr, "screenshot failed: %s\n", why);
        return false;
    };
    ui::MainWindow window(ctx);
    window.resize(1440, 880);
    window.show();
    ui::LogHistoryView* log = window.logView();
    ui::DeliveryLogModel* model = log->model();
    ui::WebhookListPanel* panel = window.webhookPanel();
    if (!QTest::qWaitFor([&] { return model->rowCount() > 0 && panel->model()->rowCount() > 0; }, 10000))
        return fail("no demo rows");

    // The most recent delivery that failed for good: expand it and select its last attempt.
    QModelIndex failed;
    for (int row = 0; row < model->rowCount() && !failed.isValid(); ++row) {
        const auto d = model->deliveryAt(model->index(row, 0));
        if (d && d->status == DeliveryStatus::Failed && d->attemptCount > 1)
            failed = model->index(row, 0);
    }
    if (!failed.isValid())
        return fail("no failed delivery");
    panel->table()->selectRow(panel->model()->rowOf(model->deliveryAt(failed)->webhookId));
    log->tree()->scrollTo(failed, QAbstractItemView::PositionAtCenter);
    log->tree()->expand(failed);
    if (!QTest::qWaitFor([&] { return model->rowCount(failed) > 0; }, 5000))
        return fail("no attempts");
    const QModelIndex attempt = model->index(model->rowCount(failed) - 1, 0, failed);
    log->tree()->setCurrentIndex(attempt);
    QTest::qWait(800);
    bool ok = save(&window, outDir + (suffix.isEmpty() ? QStringLiteral("/main-window.png")
                                                       : QStringLiteral("/main") + suffix + QStringLiteral(".png")));
    if (suffix.isEmpty())
        ok &= save(log, outDir + QStringLiteral("/failed-attempt.png"));

    panel->editAction()->trigger();
    if (!QTest::qWaitFor([&] { return panel->openEditor() && panel->openEditor()->isVisible(); }, 5000))
        return fail("no editor");
    ok &= save(panel->openEditor(), outDir + QStringLiteral("/editor") + suffix + QStringLiteral(".png"));
    panel->openEditor()->reject();

    // The health dashboard for all webhooks, in the window's Health tab.
    if (suffix.isEmpty()) {
        ui::HealthDashboard* health = window.healthDashboard();
        QSignalSpy loaded(health, &ui::HealthDashboard::reportLoaded);
        window.tabs()->setCurrentWidget(health);
        if (!loaded.wait(10000))
            return fail("no health report");
        ok &= save(health, outDir + QStringLiteral("/health.png"));
    }
    return ok;
}

} // namespace

int main(int argc, char* argv[])
{
    QApplication app(argc, argv);
    QApplication::setOrganizationName(QStringLiteral("OuthookScreenshots"));
    QApplication::setApplicationName(QStringLiteral("outhook"));
    QApplication::setApplicationVersion(QStringLiteral(OUTHOOK_VERSION));
    const QString outDir = argc > 1 ? QString::fromLocal8Bit(argv[1]) : QStringLiteral("docs/screenshots");
    QDir().mkpath(outDir);

    QTemporaryDir dir;
    const auto db = Database::open(*DatabaseUrl::parse(dir.filePath(QStringLiteral("demo.db"))));
    if (!db) {
        std::fprintf(stderr, "%s\n", qPrintable(db.error().message));
        return 1;
    }
    SystemClock clock;
    const int deliveries = demo::populate(*db, clock.nowMs());
    std::printf("demo database: %d deliveries\n", deliveries);

    StorageWorker storage(*db, clock);
    const TransportFactory transport = [] {
        return std::unique_ptr<Transport>(new CurlTransport(CurlTransport::Options()));
    };
    storage.setTransportFactory(transport);
    ui::AppContext ctx;
    ctx.db = *db;
    ctx.clock = &clock;
    ctx.storage = &storage;
    ctx.databaseName = QStringLiteral("~/.local/share/Outhook/outhook/outhook.db");
    ctx.makeEngine = [db = *db, &clock, transport] {
        return std::make_unique<Engine>(db, clock, Dispatcher::Options(), transport);
    };

    // The widgets take their texts when they are built, so each language gets a window of its own.
    bool ok = shoot(ctx, outDir, QString());

    // Settings on its Team tab (the values everyone on the database shares), and About.
    ui::SettingsDialog settings(&storage);
    settings.show();
    if (!QTest::qWaitFor([&] { return settings.teamPage()->isLoaded(); }, 5000))
        return 7;
    if (qEnvironmentVariableIsSet("OUTHOOK_SCREENSHOT_ALL_TABS")) { // for reviewing every tab
        for (int i = 0; i < settings.tabs()->count(); ++i) {
            settings.tabs()->setCurrentIndex(i);
            QTest::qWait(100);
            ok &= save(&settings, outDir + QStringLiteral("/settings-tab%1.png").arg(i));
        }
    }
    settings.tabs()->setCurrentWidget(settings.teamPage());
    QTest::qWait(200);
    ok &= save(&settings, outDir + QStringLiteral("/settings.png"));
    settings.reject();
    ui::AboutDialog about(ctx.databaseName);
    about.show();
    QTest::qWait(200);
    ok &= save(&about, outDir + QStringLiteral("/about.png"));

    ui::installTranslations(app, QStringLiteral("de"));
    ok &= shoot(ctx, outDir, QStringLiteral("-de"));
    return ok ? 0 : 6;
}
