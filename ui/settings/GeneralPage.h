#pragma once

#include "settings/FieldMessages.h"
#include "settings/PersonalSettings.h"

#include <QWidget>

class QCheckBox;
class QComboBox;

namespace outhook::ui {

// Settings → General: the language and whether this app sends deliveries itself. Personal (QSettings).
class GeneralPage : public QWidget
{
    Q_OBJECT
public:
    explicit GeneralPage(QWidget* parent = nullptr);

    void load(const PersonalSettings& s);
    void store(PersonalSettings& s) const;
    FieldMessages& messages() { return m_messages; }

    QComboBox* languageCombo() const { return m_language; }
    QCheckBox* engineCheck() const { return m_engine; }

private:
    QComboBox* m_language;
    QCheckBox* m_engine;
    FieldMessages m_messages;
};

} // namespace outhook::ui
