#include "DbFingerprint.h"

#include "storage/WebhookStore.h"
#include "webhooks/EventPicker.h"
#include "webhooks/HeaderTableEditor.h"
#include "webhooks/WebhookEditor.h"
#include "widgets/PasswordLineEdit.h"

#include <QApplication>
#include <QClipboard>
#include <QComboBox>
#include <QLineEdit>
#include <QPushButton>
#include <QSignalSpy>
#include <QSpinBox>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QTest>
#include <QTreeView>

using namespace outhook;
using outhook::test::DbFingerprint;
using outhook::ui::HeaderTableEditor;
using outhook::ui::WebhookEditor;

namespace {

// How a row's bad value gets into the form: typed key by key, or pasted (long values).
enum class Entry
{
    Type,
    Paste
};

// Which widget the row types into.
enum class Target
{
    Name,
    Url,
    Retry,
    Username,
    Token,
    HeaderName,
    HeaderValue
};

void clickCheckBox(QAbstractItemView* view, const QModelIndex& index)
{
    view->scrollTo(index);
    QStyleOptionViewItem option;
    option.initFrom(view->viewport());
    option.rect = view->visualRect(index);
    option.features = QStyleOptionViewItem::HasCheckIndicator | QStyleOptionViewItem::HasDisplay;
    option.text = index.data().toString();
    const QRect box = view->style()->subElementRect(QStyle::SE_ItemViewItemCheckIndicator, &option, view);
    QTest::mouseClick(view->viewport(), Qt::LeftButton, {}, box.center());
}

void enter(QWidget* edit, const QString& text, Entry how)
{
    QTest::keyClick(edit, Qt::Key_A, Qt::ControlModifier);
    QTest::keyClick(edit, Qt::Key_Backspace);
    if (how == Entry::Paste) {
        QGuiApplication::clipboard()->setText(text);
        QTest::keyClick(edit, Qt::Key_V, Qt::ControlModifier);
    } else {
        QTest::keyClicks(edit, text);
    }
}

// Types into a header cell through the table's own editor: double-click, replace, Enter.
void editCell(QTableWidget* table, int row, int column, const QString& text, Entry how)
{
    const QModelIndex index = table->model()->index(row, column);
    table->scrollTo(index);
    const QPoint pos = table->visualRect(index).center();
    QTest::mouseClick(table->viewport(), Qt::LeftButton, {}, pos);
    QTest::mouseDClick(table->viewport(), Qt::LeftButton, {}, pos);
    QWidget* editor = table->indexWidget(index);
    QVERIFY(editor);
    enter(editor, text, how);
    QTest::keyClick(editor, Qt::Key_Return);
    QTRY_VERIFY(!table->indexWidget(index));
}

QList<EventType> catalog()
{
    return {EventType{QStringLiteral("invoice.paid"), QStringLiteral("invoice"), QStringLiteral("Paid"), {}, true},
            EventType{QStringLiteral("job.created"), QStringLiteral("job"), QStringLiteral("Created"), {}, true}};
}

} // namespace

Q_DECLARE_METATYPE(Entry)
Q_DECLARE_METATYPE(Target)

// Bad input typed into the real webhook form: Save is disabled, the inline message under the field names
// the problem, and clicking Save saves nothing (the form is wired to a real store on an SQLite file).
class TestBadInputUi : public QObject
{
    Q_OBJECT
    QTemporaryDir m_dir;
    SystemClock m_clock;
    std::shared_ptr<Database> m_db;
    std::unique_ptr<EventCatalog> m_catalog;
    std::unique_ptr<WebhookStore> m_store;
    int m_rows = 0;

    QString path() const { return m_dir.filePath(QStringLiteral("ui.db")); }

    void fillValidForm(WebhookEditor& editor)
    {
        QTest::keyClicks(editor.nameEdit(), QStringLiteral("CRM"));
        QTest::keyClicks(editor.urlEdit(), QStringLiteral("https://crm.example.com/hook"));
        clickCheckBox(editor.eventPicker()->view(),
                      editor.eventPicker()->viewIndexOfType(QStringLiteral("job.created")));
        QVERIFY(editor.isValid());
        QVERIFY(editor.saveButton()->isEnabled());
    }

    // The form saves through the store, as the main window does.
    void wire(WebhookEditor& editor)
    {
        connect(&editor, &WebhookEditor::saveRequested, &editor, [this, &editor](const Webhook& w) {
            const auto saved = m_store->create(w);
            editor.onSaveFinished(bool(saved), saved ? QString() : saved.error().message);
        });
    }

    void show(QWidget& w)
    {
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        QApplication::setActiveWindow(&w);
        QVERIFY(QTest::qWaitForWindowActive(&w));
    }

private Q_SLOTS:
    void initTestCase()
    {
        auto db = Database::open(*DatabaseUrl::parse(path()));
        QVERIFY2(db, qPrintable(db.error().message));
        m_db = *db;
        m_catalog = std::make_unique<EventCatalog>(m_db, m_clock);
        m_store = std::make_unique<WebhookStore>(m_db, *m_catalog, m_clock);
    }

    void cleanupTestCase() { qInfo("tst_badinput_ui: %d bad-input rows", m_rows); }

    void refused_data()
    {
        QTest::addColumn<Target>("target");
        QTest::addColumn<QString>("text");
        QTest::addColumn<Entry>("entry");
        QTest::addColumn<QString>("field");   // validator field name of the inline message
        QTest::addColumn<QString>("message"); // a fragment of it
        const Entry T = Entry::Type;
        const Entry P = Entry::Paste;
        QTest::newRow("url http:") << Target::Url << "http://crm.example.com/hook" << T << "url"
                                   << "HTTPS";
        QTest::newRow("url ftp:") << Target::Url << "ftp://crm.example.com/f" << T << "url"
                                  << "HTTPS";
        QTest::newRow("url javascript:") << Target::Url << "javascript:alert(1)" << T << "url"
                                         << "HTTPS";
        QTest::newRow("url no host") << Target::Url << "https:///hook" << T << "url"
                                     << "host";
        QTest::newRow("url userinfo") << Target::Url << "https://admin:pw@crm.example.com/" << T << "url"
                                      << "user name or password";
        QTest::newRow("url 10 KB (pasted)")
            << Target::Url << QStringLiteral("https://crm.example.com/") + QString(10240, u'a') << P << "url"
            << "at most 2048";
        QTest::newRow("url IDN homograph (pasted: QTest types ASCII only)")
            << Target::Url << QStringLiteral("https://p\u0430ypal.com/") << P << "url"
            << "different scripts";
        QTest::newRow("empty name") << Target::Name << "" << T << "name"
                                    << "required";
        QTest::newRow("10 KB name (pasted)") << Target::Name << QString(10240, u'n') << P << "name"
                                             << "at most 200";
        QTest::newRow("negative retry delay") << Target::Retry << "5m,-5m" << T << "retry_schedule"
                                              << "";
        QTest::newRow("retry delay not a duration") << Target::Retry << "5m,banana" << T << "retry_schedule"
                                                    << "durations";
        QTest::newRow("retry delay of 30 days") << Target::Retry << "30d" << T << "retry_schedule"
                                                << "7 days";
        QTest::newRow("basic user with colon") << Target::Username << "a:b" << T << "auth.username"
                                               << ":";
        QTest::newRow("bearer token with space") << Target::Token << "abc def" << T << "auth.token"
                                                 << "spaces";
        QTest::newRow("header name with space") << Target::HeaderName << "X Team" << T << "headers[0].name"
                                                << "letters, digits";
        QTest::newRow("header name with colon") << Target::HeaderName << "X-Team:" << T << "headers[0].name"
                                                << "letters, digits";
        QTest::newRow("reserved header Host") << Target::HeaderName << "Host" << T << "headers[0].name"
                                              << "cannot be";
        QTest::newRow("reserved header Webhook-Signature")
            << Target::HeaderName << "Webhook-Signature" << T << "headers[0].name"
            << "cannot be";
        QTest::newRow("reserved header Expect") << Target::HeaderName << "Expect" << T << "headers[0].name"
                                                << "cannot be";
        QTest::newRow("header value 9 KB (pasted)")
            << Target::HeaderValue << QString(9 * 1024, u'v') << P << "headers[0].value"
            << "at most";
    }

    void refused()
    {
        QFETCH(Target, target);
        QFETCH(QString, text);
        QFETCH(Entry, entry);
        QFETCH(QString, field);
        QFETCH(QString, message);
        const DbFingerprint before = DbFingerprint::of(path());
        QVERIFY(!before.hash.isEmpty());

        WebhookEditor editor(catalog());
        wire(editor);
        show(editor);
        fillValidForm(editor);
        QSignalSpy saves(&editor, &WebhookEditor::saveRequested);
        HeaderTableEditor* headers = editor.headerEditor();
        switch (target) {
        case Target::Name:
            enter(editor.nameEdit(), text, entry);
            break;
        case Target::Url:
            enter(editor.urlEdit(), text, entry);
            break;
        case Target::Retry:
            enter(editor.retryEdit(), text, entry);
            break;
        case Target::Username:
            editor.authCombo()->setCurrentIndex(editor.authCombo()->findData(int(AuthConfig::Type::Basic)));
            enter(editor.usernameEdit(), text, entry);
            enter(editor.passwordEdit(), QStringLiteral("pw"), Entry::Type);
            break;
        case Target::Token:
            editor.authCombo()->setCurrentIndex(editor.authCombo()->findData(int(AuthConfig::Type::Bearer)));
            enter(editor.tokenEdit(), text, entry);
            break;
        case Target::HeaderName:
        case Target::HeaderValue:
            QTest::mouseClick(headers->addButton(), Qt::LeftButton);
            QTRY_VERIFY(headers->table()->indexWidget(headers->table()->model()->index(0, 0)));
            QTest::keyClick(headers->table()->indexWidget(headers->table()->model()->index(0, 0)), Qt::Key_Escape);
            editCell(headers->table(), 0, HeaderTableEditor::NameColumn,
                     target == Target::HeaderName ? text : QStringLiteral("X-Team"), Entry::Type);
            editCell(headers->table(), 0, HeaderTableEditor::ValueColumn,
                     target == Target::HeaderValue ? text : QStringLiteral("billing"), entry);
            break;
        }

        QVERIFY(!editor.saveButton()->isEnabled());
        QString shown = editor.fieldMessage(field);
        if (target == Target::HeaderName || target == Target::HeaderValue)
            shown = headers->cellError(0, target == Target::HeaderName ? HeaderTableEditor::NameColumn
                                                                       : HeaderTableEditor::ValueColumn);
        QVERIFY2(!shown.isEmpty(), qPrintable(field));
        QVERIFY2(shown.contains(message), qPrintable(shown));
        QTest::mouseClick(editor.saveButton(), Qt::LeftButton);
        QCOMPARE(saves.size(), 0);
        QVERIFY(editor.isVisible());
        QCOMPARE(DbFingerprint::of(path()), before);
        ++m_rows;
    }

    // The timeout box cannot even hold a negative or absurd value: typing one leaves it in 1..300.
    void timeoutBoxRefusesOutOfRange_data()
    {
        QTest::addColumn<QString>("text");
        QTest::newRow("negative") << "-5";
        QTest::newRow("zero") << "0";
        QTest::newRow("absurd") << "99999999";
    }
    void timeoutBoxRefusesOutOfRange()
    {
        QFETCH(QString, text);
        WebhookEditor editor(catalog());
        show(editor);
        fillValidForm(editor);
        enter(editor.timeoutSpin(), text, Entry::Type);
        QTest::keyClick(editor.timeoutSpin(), Qt::Key_Tab);
        QVERIFY(editor.timeoutSpin()->value() >= 1);
        QVERIFY(editor.timeoutSpin()->value() <= WebhookValidator::kMaxTimeoutSeconds);
        QVERIFY(editor.webhook().timeoutSeconds >= 1);
        ++m_rows;
    }

    // SQL metacharacters typed into the form are saved verbatim and read back unchanged.
    void sqlMetacharactersRoundTrip()
    {
        const QString sql = QStringLiteral("x'); DROP TABLE webhooks; --");
        WebhookEditor editor(catalog());
        wire(editor);
        show(editor);
        fillValidForm(editor);
        enter(editor.nameEdit(), sql, Entry::Type);
        QVERIFY(editor.saveButton()->isEnabled());
        QSignalSpy saves(&editor, &WebhookEditor::saveRequested);
        QTest::mouseClick(editor.saveButton(), Qt::LeftButton);
        QCOMPARE(saves.size(), 1);
        const auto all = m_store->list();
        QVERIFY(all);
        QCOMPARE(all->size(), 1);
        QCOMPARE(all->first().name, sql);
    }
};

QTEST_MAIN(TestBadInputUi)
#include "tst_badinput_ui.moc"
