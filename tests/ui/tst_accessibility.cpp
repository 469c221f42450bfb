#include "AboutDialog.h"
#include "DemoData.h"
#include "MainWindow.h"
#include "SettingsDialog.h"

#include "log/AttemptDetailView.h"
#include "log/DeliveryLogModel.h"
#include "log/LogFilterBar.h"
#include "log/LogHistoryView.h"
#include "settings/DatabasePage.h"
#include "settings/NetworkPage.h"
#include "settings/TeamPage.h"
#include "webhooks/TestSendDialog.h"
#include "webhooks/WebhookEditor.h"
#include "webhooks/WebhookListModel.h"
#include "webhooks/WebhookListPanel.h"

#include <QAbstractButton>
#include <QAbstractItemView>
#include <QAbstractSlider>
#include <QAbstractSpinBox>
#include <QAccessible>
#include <QAction>
#include <QApplication>
#include <QComboBox>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSpinBox>
#include <QStandardPaths>
#include <QTabBar>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>
#include <QTextBrowser>
#include <QTextEdit>
#include <QTreeView>

using namespace outhook;

namespace {

bool isInteractive(const QWidget* w)
{
    if (!(w->focusPolicy() & Qt::TabFocus))
        return false;
    return qobject_cast<const QAbstractButton*>(w) || qobject_cast<const QLineEdit*>(w) ||
           qobject_cast<const QAbstractSpinBox*>(w) || qobject_cast<const QComboBox*>(w) ||
           qobject_cast<const QAbstractItemView*>(w) || qobject_cast<const QPlainTextEdit*>(w) ||
           qobject_cast<const QTextEdit*>(w) || qobject_cast<const QAbstractSlider*>(w) ||
           qobject_cast<const QTabBar*>(w);
}

// Parts of a compound Qt widget (a spin box's line edit, a tab bar's scroll arrows) are named by it.
bool isInternal(const QWidget* w)
{
    if (w->objectName().startsWith(QLatin1String("qt_")))
        return true;
    for (const QWidget* p = w->parentWidget(); p; p = p->parentWidget()) {
        if (qobject_cast<const QAbstractSpinBox*>(p) || qobject_cast<const QComboBox*>(p) ||
            qobject_cast<const QTabBar*>(p))
            return true;
    }
    return false;
}

// What a screen reader says for the widget: its accessible name, else what Qt derives (button text,
// a label's buddy).
QString spokenName(QWidget* w)
{
    if (!w->accessibleName().isEmpty())
        return w->accessibleName();
    if (QAccessibleInterface* iface = QAccessible::queryAccessibleInterface(w)) {
        const QString name = iface->text(QAccessible::Name).trimmed();
        if (!name.isEmpty())
            return name;
    }
    const QWidget* window = w->window();
    for (const QLabel* label : window->findChildren<QLabel*>()) {
        if (label->buddy() == w && !label->text().isEmpty())
            return label->text();
    }
    return {};
}

QStringList unnamedControls(QWidget* root)
{
    QStringList out;
    QList<QWidget*> all = root->findChildren<QWidget*>();
    all.prepend(root);
    for (QWidget* w : std::as_const(all)) {
        if (isInteractive(w) && !isInternal(w) && spokenName(w).isEmpty()) {
            QString where;
            for (const QWidget* p = w->parentWidget(); p; p = p->parentWidget())
                where += QLatin1Char('/') + QString::fromLatin1(p->metaObject()->className());
            out << QString::fromLatin1(w->metaObject()->className()) + QLatin1Char('"') + w->objectName() +
                       QStringLiteral("\" in ") + where;
        }
    }
    return out;
}

// Tab order: the focus chain from `from` visits `expected` in this order (others may sit in between
// only when they are not focusable at the moment).
QString tabChainProblem(std::initializer_list<QWidget*> order)
{
    const QList<QWidget*> expected(order);
    for (int i = 0; i + 1 < expected.size(); ++i) {
        QWidget* next = expected[i]->nextInFocusChain();
        while (
            next != expected[i] && next != expected[i + 1] &&
            (!next->isVisible() || !next->isEnabled() || !(next->focusPolicy() & Qt::TabFocus) || next->focusProxy()))
            next = next->nextInFocusChain();
        if (next != expected[i + 1])
            return QStringLiteral("after %1 comes %2, expected %3")
                .arg(spokenName(expected[i]), spokenName(next), spokenName(expected[i + 1]));
    }
    return {};
}

} // namespace

// Every control in the main window and its dialogs has a name a screen reader can say, the focus order
// follows the layout, and the Log History works from the keyboard alone.
class TestAccessibility : public QObject
{
    Q_OBJECT
    QTemporaryDir m_dir;
    SystemClock m_clock;
    std::shared_ptr<Database> m_db;
    std::unique_ptr<StorageWorker> m_storage;
    std::unique_ptr<ui::MainWindow> m_window;

private Q_SLOTS:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        QCoreApplication::setOrganizationName(QStringLiteral("OuthookTest"));
        QCoreApplication::setApplicationName(QStringLiteral("tst_accessibility"));
        auto db = Database::open(*DatabaseUrl::parse(m_dir.filePath(QStringLiteral("a11y.db"))));
        QVERIFY2(db, qPrintable(db.error().message));
        m_db = *db;
        QVERIFY(demo::populate(m_db, m_clock.nowMs()) > 0);
        m_storage = std::make_unique<StorageWorker>(m_db, m_clock);
        ui::AppContext ctx;
        ctx.db = m_db;
        ctx.clock = &m_clock;
        ctx.storage = m_storage.get();
        ctx.databaseName = QStringLiteral("a11y.db");
        m_window = std::make_unique<ui::MainWindow>(ctx);
        m_window->show();
        QVERIFY(QTest::qWaitForWindowExposed(m_window.get()));
        QTRY_VERIFY(m_window->webhookPanel()->model()->rowCount() > 0);
        QTRY_VERIFY(m_window->logView()->model()->rowCount() > 0);
    }

    void cleanupTestCase()
    {
        m_window.reset();
        m_storage.reset();
        m_db.reset();
    }

    void checkerFindsAnUnnamedField()
    {
        // The check itself must be able to fail.
        QWidget form;
        auto* named = new QLineEdit(&form);
        named->setAccessibleName(QStringLiteral("Named"));
        auto* byBuddy = new QLineEdit(&form);
        (new QLabel(QStringLiteral("&Label"), &form))->setBuddy(byBuddy);
        new QLineEdit(&form);
        QCOMPARE(unnamedControls(&form).size(), 1);
    }

    void mainWindowControlsAreNamed()
    {
        const QStringList missing = unnamedControls(m_window.get());
        QVERIFY2(missing.isEmpty(), qPrintable(missing.join(QLatin1Char('\n'))));
    }

    void webhookEditorControlsAreNamed()
    {
        ui::WebhookListPanel* panel = m_window->webhookPanel();
        panel->table()->selectRow(0);
        panel->editAction()->trigger();
        ui::WebhookEditor* editor = panel->openEditor();
        QVERIFY(editor);
        QVERIFY(QTest::qWaitForWindowExposed(editor));
        const QStringList missing = unnamedControls(editor);
        QVERIFY2(missing.isEmpty(), qPrintable(missing.join(QLatin1Char('\n'))));
        const QString order = tabChainProblem({editor->nameEdit(), editor->urlEdit()});
        QVERIFY2(order.isEmpty(), qPrintable(order));
        QVERIFY(tabChainProblem({editor->retryEdit(), editor->timeoutSpin()}).isEmpty());
        editor->reject();
    }

    void settingsDialogControlsAreNamed()
    {
        ui::SettingsDialog dialog(m_storage.get(), m_window.get());
        dialog.show();
        QVERIFY(QTest::qWaitForWindowExposed(&dialog));
        QTRY_VERIFY(dialog.teamPage()->isLoaded());
        const QStringList missing = unnamedControls(&dialog);
        QVERIFY2(missing.isEmpty(), qPrintable(missing.join(QLatin1Char('\n'))));

        dialog.tabs()->setCurrentWidget(dialog.databasePage());
        QString order = tabChainProblem({dialog.databasePage()->urlEdit(), dialog.databasePage()->testButton(),
                                         dialog.databasePage()->durabilityCombo()});
        QVERIFY2(order.isEmpty(), qPrintable(order));
        dialog.tabs()->setCurrentWidget(dialog.networkPage());
        ui::NetworkPage* n = dialog.networkPage();
        n->destinationEdit()->setText(QStringLiteral("10.0.0.0/8"));
        order = tabChainProblem(
            {n->caList(), n->addCaButton(), n->destinationList(), n->destinationEdit(), n->addDestinationButton()});
        QVERIFY2(order.isEmpty(), qPrintable(order));
        dialog.tabs()->setCurrentWidget(dialog.teamPage());
        ui::TeamPage* t = dialog.teamPage();
        order = tabChainProblem(
            {t->retryEdit(), t->timeoutSpin(), t->autoDisableEdit(), t->bodyCapSpin(), t->defaultsButton()});
        QVERIFY2(order.isEmpty(), qPrintable(order));
    }

    void testSendAndAboutDialogsAreNamed()
    {
        const Webhook* w = m_window->webhookPanel()->model()->webhookAt(0);
        QVERIFY(w);
        m_window->testSend(w->id);
        QTRY_VERIFY(m_window->testSendDialog() && m_window->testSendDialog()->isVisible());
        QStringList missing = unnamedControls(m_window->testSendDialog());
        QVERIFY2(missing.isEmpty(), qPrintable(missing.join(QLatin1Char('\n'))));
        m_window->testSendDialog()->close();

        ui::AboutDialog about(QStringLiteral("a11y.db"), m_window.get());
        about.show();
        QVERIFY(QTest::qWaitForWindowExposed(&about));
        missing = unnamedControls(&about);
        QVERIFY2(missing.isEmpty(), qPrintable(missing.join(QLatin1Char('\n'))));
        QVERIFY(
            about.findChild<QLabel*>(QStringLiteral("aboutVersion"))->text().contains(QStringLiteral(OUTHOOK_VERSION)));
        const QString licences = about.licences()->toPlainText();
        for (const char* expected : {"LGPLv3", "Apache License 2.0", "curl licence", "Outhook authors"})
            QVERIFY2(licences.contains(QLatin1String(expected)), expected);
#ifdef OUTHOOK_HAVE_TCMALLOC
        QVERIFY(licences.contains(QLatin1String("tcmalloc (gperftools)")));
        QVERIFY(licences.contains(QLatin1String("Neither the name of Google Inc.")));
#endif
    }

    void filterBarTabOrder()
    {
        ui::LogFilterBar* bar = m_window->logView()->filterBar();
        const QString order = tabChainProblem(
            {bar->webhookCombo(), bar->eventCombo(), bar->outcomeCombo(), bar->rangeCombo(), bar->searchEdit()});
        QVERIFY2(order.isEmpty(), qPrintable(order));
        // The main window reads left to right: webhooks, then the log's filters, then the log itself.
        const QString panes = tabChainProblem({m_window->webhookPanel()->table(), bar->webhookCombo()});
        QVERIFY2(panes.isEmpty(), qPrintable(panes));
        QVERIFY(tabChainProblem({bar->searchEdit(), m_window->logView()->tree()}).isEmpty());
    }

    void logHistoryWithoutMouse()
    {
        m_window->activateWindow();
        QVERIFY(QTest::qWaitForWindowActive(m_window.get()));
        ui::LogHistoryView* log = m_window->logView();
        ui::DeliveryLogModel* model = log->model();
        QTreeView* tree = log->tree();
        // A delivery with several attempts.
        QModelIndex target;
        for (int row = 0; row < model->rowCount() && !target.isValid(); ++row) {
            const auto d = model->deliveryAt(model->index(row, 0));
            if (d && d->attemptCount > 1)
                target = model->index(row, 0);
        }
        QVERIFY(target.isValid());
        tree->setFocus(Qt::TabFocusReason);
        tree->setCurrentIndex(target);
        QVERIFY(!tree->isExpanded(target));

        QTest::keyClick(tree, Qt::Key_Right);
        QVERIFY(tree->isExpanded(target));
        QTRY_VERIFY(model->rowCount(target) > 1);
        QTest::keyClick(tree, Qt::Key_Left);
        QVERIFY(!tree->isExpanded(target));

        // Enter shows the delivery's details and moves focus into them.
        QTest::keyClick(tree, Qt::Key_Return);
        QTRY_VERIFY(log->detail()->isShowingDelivery());
        QTRY_VERIFY(QApplication::focusWidget() && log->detail()->isAncestorOf(QApplication::focusWidget()));
        QVERIFY(!log->detail()->bodyText().isEmpty());

        // Down into an attempt, Enter: the attempt's details.
        tree->setFocus(Qt::TabFocusReason);
        QTest::keyClick(tree, Qt::Key_Right);
        QTRY_VERIFY(model->rowCount(target) > 1);
        QTest::keyClick(tree, Qt::Key_Down);
        QCOMPARE(tree->currentIndex().parent(), target);
        QTest::keyClick(tree, Qt::Key_Enter);
        QTRY_VERIFY(log->detail()->isShowingAttempt());
        QVERIFY(log->detail()->isAncestorOf(QApplication::focusWidget()));

        // Ctrl+F: the filter's search field, from anywhere in the window.
        m_window->webhookPanel()->table()->setFocus();
        QTest::keyClick(m_window.get(), Qt::Key_F, Qt::ControlModifier);
        QTRY_COMPARE(QApplication::focusWidget(), static_cast<QWidget*>(log->filterBar()->searchEdit()));
    }
};

QTEST_MAIN(TestAccessibility)
#include "tst_accessibility.moc"
