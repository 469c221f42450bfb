#include "SettingsDialog.h"

#include "storage/DatabaseUrl.h"

#include <QCheckBox>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QSettings>

namespace outhook::ui {

namespace {
const QString kUrlKey = QStringLiteral("database/url");
const QString kEngineKey = QStringLiteral("engine/inProcess");
} // namespace

QString SettingsDialog::databaseUrl()
{
    return QSettings().value(kUrlKey).toString();
}

bool SettingsDialog::runEngineInProcess()
{
    return QSettings().value(kEngineKey, true).toBool();
}

SettingsDialog::SettingsDialog(QWidget* parent)
    : QDialog(parent)
    , m_url(new QLineEdit(this))
    , m_engine(new QCheckBox(this))
    , m_error(new QLabel(this))
{
    setWindowTitle(tr("Settings"));
    m_url->setText(databaseUrl());
    m_url->setPlaceholderText(DatabaseUrl::defaultSqlitePath());
    m_url->setAccessibleName(tr("Database"));
    m_url->setMinimumWidth(420);
    m_engine->setText(tr("Send deliveries from this app (uncheck when outhookd serve runs elsewhere)"));
    m_engine->setChecked(runEngineInProcess());
    m_error->setStyleSheet(QStringLiteral("color: palette(link-visited);"));
    m_error->setWordWrap(true);
    m_error->hide();

    auto* hint = new QLabel(tr("A file path, sqlite:///path/to/file.db or postgres://user:password@host:5432/db. "
                               "Changes apply the next time Outhook starts."),
                            this);
    hint->setWordWrap(true);
    hint->setForegroundRole(QPalette::PlaceholderText);

    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Save | QDialogButtonBox::Cancel, this);
    connect(buttons, &QDialogButtonBox::accepted, this, &SettingsDialog::save);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);

    auto* form = new QFormLayout(this);
    form->addRow(tr("&Database:"), m_url);
    form->addRow(QString(), hint);
    form->addRow(tr("&Engine:"), m_engine);
    form->addRow(m_error);
    form->addRow(buttons);
}

void SettingsDialog::save()
{
    const QString url = m_url->text().trimmed();
    if (!url.isEmpty()) {
        const auto parsed = DatabaseUrl::parse(url);
        if (!parsed) {
            m_error->setText(parsed.error().message);
            m_error->show();
            return;
        }
    }
    QSettings settings;
    settings.setValue(kUrlKey, url);
    settings.setValue(kEngineKey, m_engine->isChecked());
    accept();
}

} // namespace outhook::ui
