#include "settings/GeneralPage.h"

#include <QCheckBox>
#include <QComboBox>
#include <QFormLayout>
#include <QLabel>

namespace outhook::ui {

GeneralPage::GeneralPage(QWidget* parent)
    : QWidget(parent)
    , m_language(new QComboBox(this))
    , m_engine(new QCheckBox(tr("Send deliveries from this app"), this))
{
    // Language names are written in their own language, so anyone can find theirs.
    m_language->addItem(tr("System default"), QString());
    m_language->addItem(QStringLiteral("English"), QStringLiteral("en"));
    m_language->addItem(QStringLiteral("Deutsch"), QStringLiteral("de"));
    m_language->addItem(QStringLiteral("Français"), QStringLiteral("fr"));
    m_engine->setAccessibleName(tr("Send deliveries from this app"));
    m_engine->setToolTip(tr("Uncheck when outhookd serve sends the deliveries elsewhere (viewer mode)"));

    auto* form = new QFormLayout(this);
    form->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
    m_messages.addRow(form, tr("&Language:"), m_language, QStringLiteral("language"));
    auto* languageHint = new QLabel(tr("Takes effect after a restart."), this);
    languageHint->setForegroundRole(QPalette::PlaceholderText);
    form->addRow(QString(), languageHint);
    form->addRow(tr("Engine:"), m_engine);
    auto* engineHint = new QLabel(tr("Uncheck when outhookd serve runs elsewhere: this app then only shows and "
                                     "edits. Takes effect after a restart; --no-engine overrides it."),
                                  this);
    engineHint->setWordWrap(true);
    engineHint->setAlignment(Qt::AlignLeft | Qt::AlignTop); // wrapped text sits under its field, not centred
    engineHint->setForegroundRole(QPalette::PlaceholderText);
    form->addRow(QString(), engineHint);
}

void GeneralPage::load(const PersonalSettings& s)
{
    m_language->setCurrentIndex(std::max(0, m_language->findData(s.language)));
    m_engine->setChecked(s.runEngine);
}

void GeneralPage::store(PersonalSettings& s) const
{
    s.language = m_language->currentData().toString();
    s.runEngine = m_engine->isChecked();
}

} // namespace outhook::ui
