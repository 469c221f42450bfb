#include "webhooks/EventPicker.h"
#include "webhooks/HeaderTableEditor.h"
#include "webhooks/WebhookEditor.h"
#include "widgets/PasswordLineEdit.h"

#include <QAbstractItemModelTester>
#include <QAction>
#include <QCheckBox>
#include <QClipboard>
#include <QComboBox>
#include <QGroupBox>
#include <QGuiApplication>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSignalSpy>
#include <QSortFilterProxyModel>
#include <QSpinBox>
#include <QStandardItemModel>
#include <QTableWidget>
#include <QTest>
#include <QTreeView>

using namespace outhook;
using outhook::ui::EventPicker;
using outhook::ui::HeaderTableEditor;
using outhook::ui::PasswordLineEdit;
using outhook::ui::WebhookEditor;

namespace {

QList<EventType> catalog()
{
    auto t = [](const char* name, const char* kind, const char* description) {
        return EventType{
            QString::fromLatin1(name), QString::fromLatin1(kind), QString::fromLatin1(description), {}, true};
    };
    return {t("contact.created", "contact", "When a contact is created"),
            t("invoice.created", "invoice", "When an invoice is created"),
            t("invoice.paid", "invoice", "When an invoice is paid in full"),
            t("invoice.voided", "invoice", "When an invoice is voided"),
            t("job.created", "job", "When a job is created"),
            t("job.updated", "job", "When a job is updated")};
}

// Clicks the check box of an item the way a user does: scroll it into view, then click the indicator.
void clickCheckBox(QAbstractItemView* view, const QModelIndex& index)
{
    QVERIFY(index.isValid());
    view->scrollTo(index);
    QStyleOptionViewItem option;
    option.initFrom(view->viewport());
    option.rect = view->visualRect(index);
    option.features = QStyleOptionViewItem::HasCheckIndicator | QStyleOptionViewItem::HasDisplay;
    option.text = index.data().toString();
    const QRect box = view->style()->subElementRect(QStyle::SE_ItemViewItemCheckIndicator, &option, view);
    QVERIFY(view->viewport()->rect().contains(box.center()));
    QTest::mouseClick(view->viewport(), Qt::LeftButton, {}, box.center());
}

void clickCell(QAbstractItemView* view, const QModelIndex& index)
{
    view->scrollTo(index);
    QTest::mouseClick(view->viewport(), Qt::LeftButton, {}, view->visualRect(index).center());
}

void replaceText(QWidget* edit, const QString& text)
{
    QTest::keyClick(edit, Qt::Key_A, Qt::ControlModifier);
    QTest::keyClick(edit, Qt::Key_Backspace);
    QTest::keyClicks(edit, text);
}

// Double-clicks a cell. QTest::mouseDClick on a QWidget sends only the double-click event, and a view
// edits only when the press before it hit the same cell, so the first click is sent explicitly.
void doubleClickCell(QAbstractItemView* view, const QModelIndex& index)
{
    view->scrollTo(index);
    const QPoint pos = view->visualRect(index).center();
    QTest::mouseClick(view->viewport(), Qt::LeftButton, {}, pos);
    QTest::mouseDClick(view->viewport(), Qt::LeftButton, {}, pos);
}

// Enter in a cell editor commits through a queued call, so wait for the editor to close.
void commitCell(QAbstractItemView* view, const QModelIndex& index)
{
    QWidget* editor = view->indexWidget(index);
    QVERIFY(editor);
    QTest::keyClick(editor, Qt::Key_Return);
    QTRY_VERIFY(!view->indexWidget(index));
}

// Types into a header cell through the view's own editor: double-click, replace, Enter.
void editCell(QTableWidget* table, int row, int column, const QString& text)
{
    const QModelIndex index = table->model()->index(row, column);
    doubleClickCell(table, index);
    QWidget* editor = table->indexWidget(index);
    QVERIFY(editor);
    replaceText(editor, text);
    commitCell(table, index);
}

QWidget* revealButton(PasswordLineEdit* edit)
{
    for (QObject* o : edit->revealAction()->associatedObjects()) {
        if (auto* w = qobject_cast<QWidget*>(o); w && w != edit)
            return w;
    }
    return nullptr;
}

Qt::CheckState kindState(EventPicker* picker, const QString& kind)
{
    return Qt::CheckState(picker->viewIndexOfKind(kind).data(Qt::CheckStateRole).toInt());
}

} // namespace

class TestWebhookEditor : public QObject
{
    Q_OBJECT
private:
    // Fills in a name, an https URL and one event: a valid form apart from what a test then changes.
    void fillValidForm(WebhookEditor& editor)
    {
        QTest::keyClicks(editor.nameEdit(), QStringLiteral("CRM"));
        QTest::keyClicks(editor.urlEdit(), QStringLiteral("https://crm.example.com/hook"));
        clickCheckBox(editor.eventPicker()->view(),
                      editor.eventPicker()->viewIndexOfType(QStringLiteral("job.created")));
        QVERIFY(editor.isValid());
    }

    void show(QWidget& w)
    {
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        QApplication::setActiveWindow(&w);
        QVERIFY(QTest::qWaitForWindowActive(&w));
    }

private Q_SLOTS:
    void newWebhookDefaults()
    {
        WebhookEditor editor(catalog());
        show(editor);
        QVERIFY(!editor.isEditMode());
        QVERIFY(!editor.activeCheck()->isChecked());
        QCOMPARE(editor.timeoutSpin()->value(), 30);
        QCOMPARE(editor.retryEdit()->text(), QStringLiteral("5m,10m,20m"));
        QVERIFY(!editor.secretGroup()->isVisible());
        QVERIFY(!editor.saveButton()->isEnabled());
        // Untouched fields do not shout; the Save tooltip says what is missing.
        QVERIFY(editor.fieldMessage(QStringLiteral("name")).isEmpty());
        QVERIFY(editor.saveButton()->toolTip().contains(QStringLiteral("Name is required")));
    }

    void urlIsValidatedAsYouType()
    {
        WebhookEditor editor(catalog());
        show(editor);
        QTest::keyClicks(editor.nameEdit(), QStringLiteral("CRM"));
        QTest::keyClicks(editor.urlEdit(), QStringLiteral("http://crm.example.com/hook"));
        QCOMPARE(editor.fieldMessage(QStringLiteral("url")), QStringLiteral("HTTPS is required"));
        QCOMPARE(editor.urlEdit()->accessibleDescription(), QStringLiteral("HTTPS is required"));
        QVERIFY(!editor.saveButton()->isEnabled());

        replaceText(editor.urlEdit(), QStringLiteral("https://crm.example.com/hook"));
        QVERIFY(editor.fieldMessage(QStringLiteral("url")).isEmpty());
        QVERIFY(editor.fieldMessage(QStringLiteral("name")).isEmpty());

        replaceText(editor.nameEdit(), QString());
        QCOMPARE(editor.fieldMessage(QStringLiteral("name")), QStringLiteral("Name is required"));
    }

    void pickerChecksTypesAndKinds()
    {
        WebhookEditor editor(catalog());
        show(editor);
        EventPicker* picker = editor.eventPicker();
        QSignalSpy changed(picker, &EventPicker::selectionChanged);

        clickCheckBox(picker->view(), picker->viewIndexOfType(QStringLiteral("job.created")));
        clickCheckBox(picker->view(), picker->viewIndexOfType(QStringLiteral("invoice.paid")));
        QCOMPARE(picker->selected(), (QStringList{QStringLiteral("invoice.paid"), QStringLiteral("job.created")}));
        QCOMPARE(changed.count(), 2);
        QCOMPARE(kindState(picker, QStringLiteral("invoice")), Qt::PartiallyChecked);
        QCOMPARE(kindState(picker, QStringLiteral("job")), Qt::PartiallyChecked);
        QCOMPARE(kindState(picker, QStringLiteral("contact")), Qt::Unchecked);

        // A partial kind becomes fully checked on click, then fully unchecked.
        clickCheckBox(picker->view(), picker->viewIndexOfKind(QStringLiteral("invoice")));
        QCOMPARE(kindState(picker, QStringLiteral("invoice")), Qt::Checked);
        QCOMPARE(picker->selected(), (QStringList{QStringLiteral("invoice.created"), QStringLiteral("invoice.paid"),
                                                  QStringLiteral("invoice.voided"), QStringLiteral("job.created")}));
        clickCheckBox(picker->view(), picker->viewIndexOfKind(QStringLiteral("invoice")));
        QCOMPARE(kindState(picker, QStringLiteral("invoice")), Qt::Unchecked);
        QCOMPARE(picker->selected(), QStringList{QStringLiteral("job.created")});

        // Checking the last unchecked type of a kind makes the kind fully checked.
        clickCheckBox(picker->view(), picker->viewIndexOfType(QStringLiteral("job.updated")));
        QCOMPARE(kindState(picker, QStringLiteral("job")), Qt::Checked);
        QCOMPARE(editor.webhook().events, (QStringList{QStringLiteral("job.created"), QStringLiteral("job.updated")}));
    }

    void pickerSearchFilters()
    {
        EventPicker picker;
        picker.setCatalog(catalog());
        picker.show();
        QVERIFY(QTest::qWaitForWindowExposed(&picker));
        QSortFilterProxyModel* proxy = picker.proxyModel();
        QCOMPARE(proxy->rowCount(), 3);

        QTest::keyClicks(picker.searchEdit(), QStringLiteral("in full")); // description only
        QCOMPARE(proxy->rowCount(), 1);
        const QModelIndex invoice = picker.viewIndexOfKind(QStringLiteral("invoice"));
        QCOMPARE(proxy->rowCount(invoice), 1);
        QVERIFY(picker.viewIndexOfType(QStringLiteral("invoice.paid")).isValid());
        QVERIFY(!picker.viewIndexOfType(QStringLiteral("job.created")).isValid());
        QVERIFY(picker.view()->isExpanded(invoice));

        // Checking inside a filtered view still checks the right type.
        clickCheckBox(picker.view(), picker.viewIndexOfType(QStringLiteral("invoice.paid")));
        QCOMPARE(picker.selected(), QStringList{QStringLiteral("invoice.paid")});

        replaceText(picker.searchEdit(), QStringLiteral("JOB"));
        QCOMPARE(proxy->rowCount(), 1);
        QCOMPARE(proxy->rowCount(picker.viewIndexOfKind(QStringLiteral("job"))), 2); // a matching kind shows all

        replaceText(picker.searchEdit(), QString());
        QCOMPARE(proxy->rowCount(), 3);
        QCOMPARE(picker.selected(), QStringList{QStringLiteral("invoice.paid")});
    }

    void pickerAllAndNoneActOnCurrentKind()
    {
        EventPicker picker;
        picker.setCatalog(catalog());
        picker.show();
        QVERIFY(QTest::qWaitForWindowExposed(&picker));
        clickCell(picker.view(), picker.viewIndexOfType(QStringLiteral("job.updated")).siblingAtColumn(1));
        QTest::mouseClick(picker.selectAllButton(), Qt::LeftButton);
        QCOMPARE(picker.selected(), (QStringList{QStringLiteral("job.created"), QStringLiteral("job.updated")}));
        QCOMPARE(kindState(&picker, QStringLiteral("job")), Qt::Checked);
        clickCheckBox(picker.view(), picker.viewIndexOfType(QStringLiteral("contact.created")));
        QTest::mouseClick(picker.selectNoneButton(), Qt::LeftButton); // still on the job row
        QCOMPARE(picker.selected(), QStringList{QStringLiteral("contact.created")});
    }

    void pickerKeepsUnknownSelections()
    {
        EventPicker picker;
        picker.setCatalog(catalog());
        picker.setSelected({QStringLiteral("gone.away"), QStringLiteral("job.created")});
        QCOMPARE(picker.selected(), (QStringList{QStringLiteral("job.created"), QStringLiteral("gone.away")}));

        WebhookEditor editor(catalog());
        Webhook w;
        w.id = 3;
        w.name = QStringLiteral("Old");
        w.url = QStringLiteral("https://example.com/h");
        w.events = {QStringLiteral("gone.away")};
        editor.setWebhook(w);
        QCOMPARE(editor.fieldMessage(QStringLiteral("events")), QStringLiteral("Unknown event type \"gone.away\""));
        QVERIFY(!editor.isValid());
    }

    void pickerModelPassesModelTester()
    {
        EventPicker picker;
        QAbstractItemModelTester source(picker.sourceModel(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        QAbstractItemModelTester proxy(picker.proxyModel(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        picker.setCatalog(catalog());
        picker.setSelected({QStringLiteral("invoice.paid"), QStringLiteral("unknown.type")});
        picker.searchEdit()->setText(QStringLiteral("created"));
        picker.setSelected({QStringLiteral("job.created")});
        picker.searchEdit()->clear();
        picker.setCatalog(catalog().mid(2));
        QCOMPARE(picker.selected(), QStringList{QStringLiteral("job.created")});
        QCOMPARE(picker.sourceModel()->rowCount(), 2);
    }

    void basicAuthFieldsAndReveal()
    {
        WebhookEditor editor(catalog());
        show(editor);
        fillValidForm(editor);
        QVERIFY(!editor.usernameEdit()->isVisible());
        QTest::keyClick(editor.authCombo(), Qt::Key_Down);
        QCOMPARE(editor.authCombo()->currentIndex(), 1);
        QVERIFY(editor.usernameEdit()->isVisible());
        QVERIFY(!editor.tokenEdit()->isVisible());
        QVERIFY(!editor.isValid()); // Basic needs both fields

        QTest::keyClicks(editor.usernameEdit(), QStringLiteral("ops"));
        QTest::keyClicks(editor.passwordEdit(), QStringLiteral("s3cret"));
        QVERIFY(editor.isValid());
        QCOMPARE(editor.passwordEdit()->echoMode(), QLineEdit::Password);
        QWidget* eye = revealButton(editor.passwordEdit());
        QVERIFY(eye);
        QVERIFY(eye->isVisible());
        QTest::mouseClick(eye, Qt::LeftButton);
        QCOMPARE(editor.passwordEdit()->echoMode(), QLineEdit::Normal);
        QTest::mouseClick(eye, Qt::LeftButton);
        QCOMPARE(editor.passwordEdit()->echoMode(), QLineEdit::Password);

        replaceText(editor.passwordEdit(), QString());
        QCOMPARE(editor.fieldMessage(QStringLiteral("auth.password")),
                 QStringLiteral("Password is required for Basic auth"));
        QVERIFY(!editor.saveButton()->isEnabled());

        QTest::keyClick(editor.authCombo(), Qt::Key_Down);
        QVERIFY(editor.tokenEdit()->isVisible());
        QTest::keyClicks(editor.tokenEdit(), QStringLiteral("tok en"));
        QCOMPARE(editor.fieldMessage(QStringLiteral("auth.token")),
                 QStringLiteral("Token must not contain spaces or control characters"));
    }

    void reservedHeaderNameBlocksSave()
    {
        WebhookEditor editor(catalog());
        show(editor);
        fillValidForm(editor);
        HeaderTableEditor* headers = editor.headerEditor();
        QTableWidget* table = headers->table();

        QTest::mouseClick(headers->addButton(), Qt::LeftButton);
        QCOMPARE(table->rowCount(), 1);
        const QModelIndex firstName = table->model()->index(0, HeaderTableEditor::NameColumn);
        QWidget* cellEditor = table->indexWidget(firstName);
        QVERIFY(cellEditor); // Add starts editing the new name at once
        QTest::keyClicks(cellEditor, QStringLiteral("webhook-id"));
        commitCell(table, firstName);

        const QString reserved = QStringLiteral("Header \"webhook-id\" is set by Outhook and cannot be changed");
        QCOMPARE(headers->cellError(0, HeaderTableEditor::NameColumn), reserved);
        QCOMPARE(table->item(0, HeaderTableEditor::NameColumn)->toolTip(), reserved);
        QVERIFY(headers->messageLabel()->isVisible());
        QCOMPARE(headers->messageLabel()->text(), QStringLiteral("Row 1: ") + reserved);
        QVERIFY(!editor.saveButton()->isEnabled());

        editCell(table, 0, HeaderTableEditor::NameColumn, QStringLiteral("X-Team"));
        editCell(table, 0, HeaderTableEditor::ValueColumn, QStringLiteral("platform"));
        QVERIFY(headers->cellError(0, HeaderTableEditor::NameColumn).isEmpty());
        QVERIFY(!headers->messageLabel()->isVisible());
        QVERIFY(editor.saveButton()->isEnabled());

        // "authorization" is free while auth is None, reserved once an auth type sets it.
        editCell(table, 0, HeaderTableEditor::NameColumn, QStringLiteral("Authorization"));
        QVERIFY(editor.saveButton()->isEnabled());
        QTest::keyClick(editor.authCombo(), Qt::Key_Down);
        QVERIFY(!headers->cellError(0, HeaderTableEditor::NameColumn).isEmpty());
        QTest::keyClick(editor.authCombo(), Qt::Key_Up);
        QVERIFY(headers->cellError(0, HeaderTableEditor::NameColumn).isEmpty());

        // A second header with the same name is refused by the same validator.
        QTest::mouseClick(headers->addButton(), Qt::LeftButton);
        QTest::keyClick(QApplication::focusWidget(), Qt::Key_Escape);
        editCell(table, 1, HeaderTableEditor::NameColumn, QStringLiteral("authorization"));
        QCOMPARE(headers->cellError(1, HeaderTableEditor::NameColumn),
                 QStringLiteral("Header \"authorization\" is set twice"));
        clickCell(table, table->model()->index(1, HeaderTableEditor::ValueColumn));
        QTest::mouseClick(headers->removeButton(), Qt::LeftButton);
        QCOMPARE(table->rowCount(), 1);
        QVERIFY(editor.saveButton()->isEnabled());
    }

    void secretHeaderValuesAreMasked()
    {
        HeaderTableEditor headers;
        headers.setHeaders({{QStringLiteral("X-Key"), QStringLiteral("abc123"), true},
                            {QStringLiteral("X-Team"), QStringLiteral("platform"), false}});
        headers.show();
        QVERIFY(QTest::qWaitForWindowExposed(&headers));
        QTableWidget* table = headers.table();
        const QString mask(4, QChar(0x2022));
        QCOMPARE(headers.displayedValue(0), mask);
        QCOMPARE(headers.displayedValue(1), QStringLiteral("platform"));

        // Typing into a secret cell is masked too.
        const QModelIndex secretValue = table->model()->index(0, HeaderTableEditor::ValueColumn);
        doubleClickCell(table, secretValue);
        auto* cellEditor = qobject_cast<QLineEdit*>(table->indexWidget(secretValue));
        QVERIFY(cellEditor);
        QCOMPARE(cellEditor->echoMode(), QLineEdit::Password);
        QTest::keyClick(cellEditor, Qt::Key_Escape);
        QTRY_VERIFY(!table->indexWidget(secretValue));

        QTest::mouseClick(headers.revealCheck(), Qt::LeftButton);
        QCOMPARE(headers.displayedValue(0), QStringLiteral("abc123"));
        QTest::mouseClick(headers.revealCheck(), Qt::LeftButton);

        QSignalSpy changed(&headers, &HeaderTableEditor::changed);
        clickCheckBox(table, table->model()->index(1, HeaderTableEditor::SecretColumn));
        QCOMPARE(changed.count(), 1);
        QVERIFY(headers.headers().at(1).secret);
        QCOMPARE(headers.displayedValue(1), mask);
        QCOMPARE(headers.headers().at(1).value, QStringLiteral("platform"));
    }

    void saveEmitsTheFormAndWaitsForTheResult()
    {
        WebhookEditor editor(catalog());
        show(editor);
        QSignalSpy saved(&editor, &WebhookEditor::saveRequested);
        QTest::keyClicks(editor.nameEdit(), QStringLiteral("CRM"));
        QTest::keyClicks(editor.urlEdit(), QStringLiteral("https://crm.example.com/hook"));
        clickCheckBox(editor.eventPicker()->view(),
                      editor.eventPicker()->viewIndexOfType(QStringLiteral("job.created")));
        clickCheckBox(editor.eventPicker()->view(),
                      editor.eventPicker()->viewIndexOfType(QStringLiteral("invoice.paid")));
        QTest::keyClick(editor.authCombo(), Qt::Key_Down);
        QTest::keyClicks(editor.usernameEdit(), QStringLiteral("ops"));
        QTest::keyClicks(editor.passwordEdit(), QStringLiteral("s3cret"));
        QTest::mouseClick(editor.headerEditor()->addButton(), Qt::LeftButton);
        QTableWidget* table = editor.headerEditor()->table();
        const QModelIndex firstName = table->model()->index(0, HeaderTableEditor::NameColumn);
        QWidget* nameEditor = table->indexWidget(firstName);
        QVERIFY(nameEditor);
        QTest::keyClicks(nameEditor, QStringLiteral("X-Team"));
        commitCell(table, firstName);
        editCell(table, 0, HeaderTableEditor::ValueColumn, QStringLiteral("platform"));
        replaceText(editor.retryEdit(), QStringLiteral("1m, 2m"));
        replaceText(editor.timeoutSpin(), QStringLiteral("45"));
        QCOMPARE(editor.timeoutSpin()->value(), 45);
        QVERIFY(editor.saveButton()->isEnabled());

        QTest::mouseClick(editor.saveButton(), Qt::LeftButton);
        QCOMPARE(saved.count(), 1);
        const auto w = saved.at(0).at(0).value<Webhook>();
        QCOMPARE(w.id, 0);
        QCOMPARE(w.name, QStringLiteral("CRM"));
        QCOMPARE(w.url, QStringLiteral("https://crm.example.com/hook"));
        QCOMPARE(w.events, (QStringList{QStringLiteral("invoice.paid"), QStringLiteral("job.created")}));
        QCOMPARE(w.isActive, false);
        QCOMPARE(w.auth.type, AuthConfig::Type::Basic);
        QCOMPARE(w.auth.username, QStringLiteral("ops"));
        QCOMPARE(w.auth.password, QStringLiteral("s3cret"));
        QCOMPARE(w.headers, (HeaderList{{QStringLiteral("X-Team"), QStringLiteral("platform"), false}}));
        QCOMPARE(w.retrySchedule.delaysSeconds(), (QList<qint64>{60, 120}));
        QCOMPARE(w.timeoutSeconds, 45);
        QVERIFY(editor.isVisible());
        QVERIFY(!editor.saveButton()->isEnabled()); // no second save while the first runs

        editor.onSaveFinished(false, QStringLiteral("disk full"));
        QVERIFY(editor.isVisible());
        QVERIFY(editor.saveMessageLabel()->isVisible());
        QCOMPARE(editor.saveMessageLabel()->text(), QStringLiteral("disk full"));
        QVERIFY(editor.saveButton()->isEnabled());

        QTest::mouseClick(editor.saveButton(), Qt::LeftButton);
        QCOMPARE(saved.count(), 2);
        editor.onSaveFinished(true, {});
        QCOMPARE(editor.result(), int(QDialog::Accepted));
        QVERIFY(!editor.isVisible());
    }

    void enterInAHeaderCellDoesNotSave()
    {
        WebhookEditor editor(catalog());
        show(editor);
        fillValidForm(editor);
        QSignalSpy saved(&editor, &WebhookEditor::saveRequested);
        QTableWidget* table = editor.headerEditor()->table();
        QTest::mouseClick(editor.headerEditor()->addButton(), Qt::LeftButton);
        const QModelIndex name = table->model()->index(0, HeaderTableEditor::NameColumn);
        QTest::keyClicks(table->indexWidget(name), QStringLiteral("X-Team"));
        commitCell(table, name);
        editCell(table, 0, HeaderTableEditor::ValueColumn, QStringLiteral("platform"));
        QVERIFY(editor.saveButton()->isEnabled());
        QCOMPARE(saved.count(), 0);
        QVERIFY(editor.isVisible());
    }

    void cancelRejects()
    {
        WebhookEditor editor(catalog());
        show(editor);
        QSignalSpy saved(&editor, &WebhookEditor::saveRequested);
        fillValidForm(editor);
        QTest::mouseClick(editor.cancelButton(), Qt::LeftButton);
        QCOMPARE(editor.result(), int(QDialog::Rejected));
        QVERIFY(!editor.isVisible());
        QCOMPARE(saved.count(), 0);
    }

    void retryScheduleIsParsed()
    {
        WebhookEditor editor(catalog());
        show(editor);
        fillValidForm(editor);
        replaceText(editor.retryEdit(), QStringLiteral("5m,soon"));
        QVERIFY(!editor.fieldMessage(QStringLiteral("retry_schedule")).isEmpty());
        QVERIFY(!editor.saveButton()->isEnabled());
        replaceText(editor.retryEdit(), QStringLiteral("8d"));
        QCOMPARE(editor.fieldMessage(QStringLiteral("retry_schedule")),
                 WebhookValidator::checkRetrySchedule(RetrySchedule({8 * 86400})));
        replaceText(editor.retryEdit(), QString());
        QVERIFY(editor.fieldMessage(QStringLiteral("retry_schedule")).isEmpty());
        QCOMPARE(editor.webhook().retrySchedule.retryCount(), 0);
        QVERIFY(editor.saveButton()->isEnabled());
    }

    void editModeKeepsSecretsAndRotates()
    {
        WebhookEditor editor(catalog());
        Webhook w;
        w.id = 7;
        w.name = QStringLiteral("Billing");
        w.url = QStringLiteral("https://billing.example.com/in");
        w.events = {QStringLiteral("invoice.paid")};
        w.isActive = true;
        w.auth = {AuthConfig::Type::Basic, QStringLiteral("ops"), QStringLiteral("hunter2"), {}};
        w.secret = QStringLiteral("whsec_abc");
        w.failureCount = 4;
        editor.setWebhook(w);
        show(editor);
        QSignalSpy rotate(&editor, &WebhookEditor::rotateRequested);

        QVERIFY(editor.isEditMode());
        QVERIFY(editor.activeCheck()->isChecked());
        QVERIFY(editor.passwordEdit()->text().isEmpty());
        QCOMPARE(editor.passwordEdit()->placeholderText(), QStringLiteral("unchanged"));
        QVERIFY(editor.isValid());
        QVERIFY(editor.saveButton()->isEnabled());
        const Webhook out = editor.webhook();
        QCOMPARE(out.id, 7);
        QVERIFY(out.auth.password.isEmpty()); // the store keeps the stored one
        QCOMPARE(out.failureCount, 4);

        // Switching to Bearer has nothing stored to keep.
        QTest::keyClick(editor.authCombo(), Qt::Key_Down);
        QCOMPARE(editor.fieldMessage(QStringLiteral("auth.token")),
                 QStringLiteral("Token is required for Bearer auth"));
        QVERIFY(editor.tokenEdit()->placeholderText().isEmpty());
        QTest::keyClick(editor.authCombo(), Qt::Key_Up);
        QVERIFY(editor.isValid());

        QVERIFY(editor.secretGroup()->isVisible());
        QCOMPARE(editor.secretEdit()->echoMode(), QLineEdit::Password);
        QTest::mouseClick(revealButton(editor.secretEdit()), Qt::LeftButton);
        QCOMPARE(editor.secretEdit()->echoMode(), QLineEdit::Normal);
        QCOMPARE(editor.secretEdit()->text(), QStringLiteral("whsec_abc"));
        QTest::mouseClick(editor.copySecretButton(), Qt::LeftButton);
        QCOMPARE(QGuiApplication::clipboard()->text(), QStringLiteral("whsec_abc"));

        QTest::mouseClick(editor.rotateButton(), Qt::LeftButton);
        QVERIFY(editor.graceEdit()->isVisible());
        QCOMPARE(editor.graceEdit()->text(), QStringLiteral("24h"));
        replaceText(editor.graceEdit(), QStringLiteral("soon"));
        QTest::mouseClick(editor.confirmRotateButton(), Qt::LeftButton);
        QCOMPARE(rotate.count(), 0);
        QVERIFY(editor.secretStatusLabel()->isVisible());
        replaceText(editor.graceEdit(), QStringLiteral("24h"));
        QTest::mouseClick(editor.confirmRotateButton(), Qt::LeftButton);
        QCOMPARE(rotate.count(), 1);
        QCOMPARE(rotate.at(0).at(0).toLongLong(), 7);
        QCOMPARE(rotate.at(0).at(1).toLongLong(), 24 * 3600);
        QVERIFY(!editor.graceEdit()->isVisible());

        // Enter in the grace field rotates; it does not also save the form.
        QSignalSpy saved(&editor, &WebhookEditor::saveRequested);
        QTest::mouseClick(editor.rotateButton(), Qt::LeftButton);
        replaceText(editor.graceEdit(), QStringLiteral("0"));
        QTest::keyClick(editor.graceEdit(), Qt::Key_Return);
        QCOMPARE(rotate.count(), 2);
        QCOMPARE(rotate.at(1).at(1).toLongLong(), 0);
        QCOMPARE(saved.count(), 0);
        QVERIFY(editor.saveButton()->isDefault());

        editor.setSecret(QStringLiteral("whsec_new"));
        QCOMPARE(editor.secretEdit()->text(), QStringLiteral("whsec_new"));
        QCOMPARE(editor.webhook().secret, QStringLiteral("whsec_new"));
    }

    void tabOrderFollowsTheLayout()
    {
        WebhookEditor editor(catalog());
        show(editor);
        editor.nameEdit()->setFocus();
        QTest::keyClick(QApplication::focusWidget(), Qt::Key_Tab);
        QCOMPARE(QApplication::focusWidget(), editor.urlEdit());
        QTest::keyClick(QApplication::focusWidget(), Qt::Key_Tab);
        QCOMPARE(QApplication::focusWidget(), editor.activeCheck());
        QTest::keyClick(QApplication::focusWidget(), Qt::Key_Tab);
        QCOMPARE(QApplication::focusWidget(), editor.eventPicker()->searchEdit());
    }

    // Not a check: OUTHOOK_EDITOR_SCREENSHOT=/tmp/editor.png grabs the dialog for a look at the layout.
    void screenshot()
    {
        const QString path = qEnvironmentVariable("OUTHOOK_EDITOR_SCREENSHOT");
        if (path.isEmpty())
            QSKIP("set OUTHOOK_EDITOR_SCREENSHOT to a PNG path");
        for (bool edit : {false, true}) {
            WebhookEditor editor(catalog());
            Webhook w;
            if (edit) {
                w.id = 7;
                w.name = QStringLiteral("Billing");
                w.url = QStringLiteral("http://billing.example.com/in");
                w.events = {QStringLiteral("invoice.paid"), QStringLiteral("job.created")};
                w.auth = {AuthConfig::Type::Basic, QStringLiteral("ops"), QStringLiteral("hunter2"), {}};
                w.headers = {{QStringLiteral("X-Team"), QStringLiteral("platform"), false},
                             {QStringLiteral("X-Key"), QStringLiteral("abc"), true},
                             {QStringLiteral("webhook-id"), QStringLiteral("x"), false}};
                w.secret = QStringLiteral("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw");
            }
            editor.setWindowTitle(edit ? QStringLiteral("Edit Webhook") : QStringLiteral("New Webhook"));
            editor.setWebhook(w);
            editor.show();
            QVERIFY(QTest::qWaitForWindowExposed(&editor));
            QString file = path;
            if (!edit)
                file.replace(QStringLiteral(".png"), QStringLiteral("-new.png"));
            QVERIFY(editor.grab().save(file));
            qInfo("saved %s (%dx%d)", qPrintable(file), editor.width(), editor.height());
            if (edit) {
                QTest::mouseClick(editor.rotateButton(), Qt::LeftButton);
                QTest::keyClick(editor.authCombo(), Qt::Key_Down);
                file.replace(QStringLiteral(".png"), QStringLiteral("-rotate.png"));
                QVERIFY(editor.grab().save(file));
                qInfo("saved %s (%dx%d)", qPrintable(file), editor.width(), editor.height());
            }
        }
    }
};

QTEST_MAIN(TestWebhookEditor)
#include "tst_webhookeditor.moc"
