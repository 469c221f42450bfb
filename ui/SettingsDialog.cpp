#include "SettingsDialog.h"

#include "settings/DatabasePage.h"
#include "settings/GeneralPage.h"
#include "settings/NetworkPage.h"
#include "settings/TeamPage.h"
#include "storage/StorageWorker.h"

#include <QDialogButtonBox>
#include <QLabel>
#include <QPushButton>
#include <QTabWidget>
#include <QVBoxLayout>

namespace outhook::ui {

QString SettingsDialog::databaseUrl()
{
    return PersonalSettings::load().databaseUrl;
}

bool SettingsDialog::runEngineInProcess()
{
    return PersonalSettings::load().runEngine;
}

SettingsDialog::SettingsDialog(StorageWorker* storage, QWidget* parent)
    : QDialog(parent)
    , m_storage(storage)
    , m_tabs(new QTabWidget(this))
    , m_general(new GeneralPage(this))
    , m_database(new DatabasePage(this))
    , m_network(new NetworkPage(this))
    , m_team(new TeamPage(this))
    , m_error(new QLabel(this))
    , m_buttons(new QDialogButtonBox(QDialogButtonBox::Save | QDialogButtonBox::Cancel, this))
{
    setWindowTitle(tr("Settings"));
    m_tabs->addTab(m_general, tr("&General"));
    m_tabs->addTab(m_database, tr("&Database"));
    m_tabs->addTab(m_network, tr("&Network"));
    m_tabs->addTab(m_team, tr("&Team"));
    m_tabs->setAccessibleName(tr("Settings pages"));
    m_error->setObjectName(QStringLiteral("settingsError"));
    m_error->setWordWrap(true);
    QPalette pal = m_error->palette();
    pal.setColor(QPalette::WindowText, QColor(0xb4, 0x1c, 0x1c));
    m_error->setPalette(pal);
    m_error->hide();
    saveButton()->setAccessibleName(tr("Save settings"));
    m_buttons->button(QDialogButtonBox::Cancel)->setAccessibleName(tr("Cancel"));

    auto* layout = new QVBoxLayout(this);
    layout->addWidget(m_tabs);
    layout->addWidget(m_error);
    layout->addWidget(m_buttons);
    connect(m_buttons, &QDialogButtonBox::accepted, this, &SettingsDialog::save);
    connect(m_buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);

    const PersonalSettings personal = PersonalSettings::load();
    m_general->load(personal);
    m_database->load(personal);
    m_network->load(personal);

    if (m_storage) {
        m_storage->run<Result<TeamSettings>>(
            this, [](StorageContext& c) { return SettingsStore(c.db, c.clock).load(); },
            [this](Result<TeamSettings> team) {
                if (team)
                    m_team->load(*team);
                else
                    m_team->showLoadError(team.error().message);
            });
    } else {
        m_team->showLoadError(tr("no database is open"));
    }
    resize(sizeHint().expandedTo(QSize(640, 460)));
}

QPushButton* SettingsDialog::saveButton() const
{
    return m_buttons->button(QDialogButtonBox::Save);
}

void SettingsDialog::save()
{
    if (m_saving)
        return;
    PersonalSettings personal;
    m_general->store(personal);
    m_database->store(personal);
    m_network->store(personal);
    FieldErrors errors = personal.validate();
    const bool writeTeam = m_team->isChanged();
    TeamSettings team;
    if (writeTeam) {
        team = m_team->values(&errors);
        errors += team.validate();
    }
    // Each page shows its own fields' messages; the first page with a problem comes to the front.
    QWidget* first = nullptr;
    for (QWidget* page : {static_cast<QWidget*>(m_general), static_cast<QWidget*>(m_database),
                          static_cast<QWidget*>(m_network), static_cast<QWidget*>(m_team)}) {
        FieldMessages& messages = page == m_general    ? m_general->messages()
                                  : page == m_database ? m_database->messages()
                                  : page == m_network  ? m_network->messages()
                                                       : m_team->messages();
        if (messages.show(errors) > 0 && !first)
            first = page;
    }
    if (!errors.isEmpty()) {
        if (first)
            m_tabs->setCurrentWidget(first);
        showError(errors.size() == 1 ? tr("Nothing was saved: fix the field marked in red.")
                                     : tr("Nothing was saved: fix the %1 fields marked in red.").arg(errors.size()));
        return;
    }
    m_error->hide();
    if (!writeTeam) {
        finishSave(personal);
        return;
    }
    // The database write may fail (no permission, server gone); personal settings are saved only after
    // it succeeded, so a failed Save leaves everything as it was.
    m_saving = true;
    saveButton()->setEnabled(false);
    m_storage->run<Status>(
        this, [team](StorageContext& c) { return SettingsStore(c.db, c.clock).save(team); },
        [this, personal, team](Status saved) {
            m_saving = false;
            saveButton()->setEnabled(true);
            if (!saved) {
                if (m_team->messages().show(saved.error().fields) > 0)
                    m_tabs->setCurrentWidget(m_team);
                showError(tr("Nothing was saved: %1").arg(saved.error().message));
                return;
            }
            Q_EMIT teamSettingsSaved(team);
            finishSave(personal);
        });
}

void SettingsDialog::finishSave(const PersonalSettings& personal)
{
    personal.save();
    accept();
}

void SettingsDialog::showError(const QString& message)
{
    m_error->setText(message);
    m_error->setAccessibleName(message);
    m_error->show();
}

} // namespace outhook::ui
