#include "settings/DatabasePage.h"

#include "settings/ConnectionTester.h"
#include "storage/DatabaseUrl.h"

#include <QComboBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>

namespace outhook::ui {

DatabasePage::DatabasePage(QWidget* parent)
    : QWidget(parent)
    , m_url(new QLineEdit(this))
    , m_test(new QPushButton(tr("&Test Connection"), this))
    , m_result(new QLabel(this))
    , m_durability(new QComboBox(this))
    , m_tester(new ConnectionTester(this))
{
    m_url->setPlaceholderText(DatabaseUrl::defaultSqlitePath());
    m_url->setMinimumWidth(420);
    m_url->setClearButtonEnabled(true);
    m_test->setAccessibleName(tr("Test connection"));
    m_test->setToolTip(tr("Open the database without changing it and report what was found"));
    m_result->setObjectName(QStringLiteral("testResult"));
    m_result->setWordWrap(true);
    m_result->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_result->hide();
    m_durability->addItem(tr("Normal (fast; a power cut may lose the last moments)"),
                          int(Database::Durability::Normal));
    m_durability->addItem(tr("Full (wait for the disk on every commit)"), int(Database::Durability::Full));

    auto* hint = new QLabel(tr("A file path, sqlite:///path/to/file.db or postgres://user:password@host:5432/db. "
                               "Empty: the default file. Changes apply the next time Outhook starts; "
                               "--db overrides this."),
                            this);
    hint->setWordWrap(true);
    hint->setAlignment(Qt::AlignLeft | Qt::AlignTop); // wrapped text sits under its field, not centred
    hint->setForegroundRole(QPalette::PlaceholderText);
    auto* durabilityHint = new QLabel(tr("SQLite only: how each commit is synced to disk (PostgreSQL decides "
                                         "this on the server)."),
                                      this);
    durabilityHint->setWordWrap(true);
    durabilityHint->setAlignment(Qt::AlignLeft | Qt::AlignTop); // wrapped text sits under its field, not centred
    durabilityHint->setForegroundRole(QPalette::PlaceholderText);

    auto* form = new QFormLayout(this);
    form->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
    m_messages.addRow(form, tr("&Database:"), m_url, QStringLiteral("database"));
    form->addRow(QString(), hint);
    auto* testRow = new QHBoxLayout;
    testRow->addWidget(m_test);
    testRow->addWidget(m_result, 1);
    m_test->setSizePolicy(QSizePolicy::Maximum, QSizePolicy::Fixed);
    form->addRow(QString(), testRow);
    m_messages.addRow(form, tr("D&urability:"), m_durability, QStringLiteral("durability"));
    form->addRow(QString(), durabilityHint);

    connect(m_test, &QPushButton::clicked, this, &DatabasePage::startTest);
    connect(m_tester, &ConnectionTester::finished, this, &DatabasePage::showResult);
    connect(m_url, &QLineEdit::textEdited, m_result, &QWidget::hide);
    setTabOrder(m_url, m_test);
    setTabOrder(m_test, m_durability);
}

void DatabasePage::load(const PersonalSettings& s)
{
    m_url->setText(s.databaseUrl);
    m_durability->setCurrentIndex(m_durability->findData(int(s.durability)));
}

void DatabasePage::store(PersonalSettings& s) const
{
    s.databaseUrl = m_url->text().trimmed();
    s.durability = Database::Durability(m_durability->currentData().toInt());
}

void DatabasePage::startTest()
{
    m_test->setEnabled(false);
    m_result->setText(tr("Connecting…"));
    m_result->setForegroundRole(QPalette::WindowText);
    m_result->show();
    m_tester->test(m_url->text());
}

void DatabasePage::showResult(bool ok, const QString& message)
{
    m_test->setEnabled(true);
    QPalette pal = m_result->palette();
    pal.setColor(QPalette::WindowText, ok ? QColor(0x1a, 0x7f, 0x37) : QColor(0xb4, 0x1c, 0x1c));
    m_result->setPalette(pal);
    m_result->setText((ok ? tr("✔ %1") : tr("✘ %1")).arg(message));
    m_result->setAccessibleName(m_result->text());
    m_result->show();
}

} // namespace outhook::ui
