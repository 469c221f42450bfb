#pragma once

#include "storage/DeliveryLog.h"

#include <QPair>
#include <QTimer>
#include <QWidget>
#include <functional>

class QComboBox;
class QDateTimeEdit;
class QLineEdit;

namespace outhook::ui {

// The Log History's filters. Every change ends in one filterChanged(); typing (and editing a custom
// range) is debounced so a search runs once the user pauses, not on every key.
class LogFilterBar : public QWidget
{
    Q_OBJECT
public:
    enum class Outcome
    {
        All,
        Succeeded,
        Failed,
        Retrying,
        Pending
    };
    enum class Range
    {
        LastHour,
        LastDay,
        LastWeek,
        AllTime,
        Custom
    };
    static constexpr int kDebounceMs = 250;

    // `now` (ms since epoch) turns relative ranges into absolute ones; tests pass a fixed clock.
    explicit LogFilterBar(QWidget* parent = nullptr, std::function<qint64()> now = {});

    // Keeps the chosen webhook / event type when it is still offered; falls back to "All" otherwise.
    void setWebhooks(const QList<QPair<qint64, QString>>& webhooks);
    void setEventTypes(const QStringList& types);
    void setNow(std::function<qint64()> now);

    DeliveryFilter filter() const;
    // Shows `filter` in the controls (a time window as a custom range) and emits one filterChanged(). A
    // webhook or event type the lists do not offer falls back to "All".
    void setFilter(const DeliveryFilter& filter);
    void focusSearch();

    QComboBox* webhookCombo() const { return m_webhook; }
    QComboBox* eventCombo() const { return m_event; }
    QComboBox* outcomeCombo() const { return m_outcome; }
    QComboBox* rangeCombo() const { return m_range; }
    QDateTimeEdit* fromEdit() const { return m_from; }
    QDateTimeEdit* toEdit() const { return m_to; }
    QLineEdit* searchEdit() const { return m_search; }

Q_SIGNALS:
    void filterChanged(const outhook::DeliveryFilter& filter);

private:
    void emitNow();
    void updateCustomRange();

    QComboBox* m_webhook;
    QComboBox* m_event;
    QComboBox* m_outcome;
    QComboBox* m_range;
    QDateTimeEdit* m_from;
    QDateTimeEdit* m_to;
    QLineEdit* m_search;
    QTimer m_debounce;
    std::function<qint64()> m_now;
};

} // namespace outhook::ui
