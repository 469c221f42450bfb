#include "log/LogFilterBar.h"

#include <QComboBox>
#include <QDateTime>
#include <QDateTimeEdit>
#include <QHBoxLayout>
#include <QLineEdit>

namespace outhook::ui {

namespace {

constexpr qint64 kHourMs = 3600LL * 1000;

// Selects the entry whose data is `value`, else the first ("All ..."). Returns whether it was found.
bool reselect(QComboBox* combo, const QVariant& value)
{
    const int i = value.isValid() ? combo->findData(value) : -1;
    combo->setCurrentIndex(i < 0 ? 0 : i);
    return i >= 0 || !value.isValid();
}

} // namespace

LogFilterBar::LogFilterBar(QWidget* parent, std::function<qint64()> now)
    : QWidget(parent)
    , m_webhook(new QComboBox(this))
    , m_event(new QComboBox(this))
    , m_outcome(new QComboBox(this))
    , m_range(new QComboBox(this))
    , m_from(new QDateTimeEdit(this))
    , m_to(new QDateTimeEdit(this))
    , m_search(new QLineEdit(this))
{
    setNow(std::move(now));

    m_webhook->addItem(tr("All webhooks"));
    m_webhook->setAccessibleName(tr("Webhook filter"));
    m_webhook->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    m_webhook->setMinimumContentsLength(12);
    m_webhook->setMaximumWidth(220);

    m_event->addItem(tr("All events"));
    m_event->setAccessibleName(tr("Event type filter"));
    m_event->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    m_event->setMaximumWidth(220);

    m_outcome->addItem(tr("All outcomes"), int(Outcome::All));
    m_outcome->addItem(tr("Succeeded"), int(Outcome::Succeeded));
    m_outcome->addItem(tr("Failed"), int(Outcome::Failed));
    m_outcome->addItem(tr("Retrying"), int(Outcome::Retrying));
    m_outcome->addItem(tr("Pending"), int(Outcome::Pending));
    m_outcome->setAccessibleName(tr("Outcome filter"));

    m_range->addItem(tr("Last hour"), int(Range::LastHour));
    m_range->addItem(tr("Last 24 hours"), int(Range::LastDay));
    m_range->addItem(tr("Last 7 days"), int(Range::LastWeek));
    m_range->addItem(tr("All time"), int(Range::AllTime));
    m_range->addItem(tr("Custom…"), int(Range::Custom));
    m_range->setCurrentIndex(m_range->findData(int(Range::AllTime)));
    m_range->setAccessibleName(tr("Time range"));

    const QString format = QStringLiteral("yyyy-MM-dd HH:mm");
    for (QDateTimeEdit* edit : {m_from, m_to}) {
        edit->setCalendarPopup(true);
        edit->setDisplayFormat(format);
        edit->hide();
    }
    m_from->setAccessibleName(tr("From"));
    m_from->setToolTip(tr("Deliveries created at or after this time"));
    m_to->setAccessibleName(tr("To"));
    m_to->setToolTip(tr("Deliveries created before this time"));

    m_search->setPlaceholderText(tr("Delivery id, event id or response text"));
    m_search->setAccessibleName(tr("Search deliveries"));
    m_search->setClearButtonEnabled(true);
    m_search->setMinimumWidth(200);

    auto* layout = new QHBoxLayout(this);
    layout->setContentsMargins(6, 4, 6, 4);
    layout->addWidget(m_webhook);
    layout->addWidget(m_event);
    layout->addWidget(m_outcome);
    layout->addWidget(m_range);
    layout->addWidget(m_from);
    layout->addWidget(m_to);
    layout->addWidget(m_search, 1);
    // Tab goes left to right, as the bar reads (the custom range fields only when they are shown).
    for (auto [a, b] : {std::pair<QWidget*, QWidget*>{m_webhook, m_event},
                        {m_event, m_outcome},
                        {m_outcome, m_range},
                        {m_range, m_from},
                        {m_from, m_to},
                        {m_to, m_search}})
        setTabOrder(a, b);

    m_debounce.setSingleShot(true);
    m_debounce.setInterval(kDebounceMs);
    connect(&m_debounce, &QTimer::timeout, this, &LogFilterBar::emitNow);
    for (QComboBox* combo : {m_webhook, m_event, m_outcome})
        connect(combo, &QComboBox::currentIndexChanged, this, &LogFilterBar::emitNow);
    connect(m_range, &QComboBox::currentIndexChanged, this, [this] {
        updateCustomRange();
        emitNow();
    });
    connect(m_search, &QLineEdit::textChanged, &m_debounce, qOverload<>(&QTimer::start));
    connect(m_from, &QDateTimeEdit::dateTimeChanged, &m_debounce, qOverload<>(&QTimer::start));
    connect(m_to, &QDateTimeEdit::dateTimeChanged, &m_debounce, qOverload<>(&QTimer::start));
    // Enter searches at once rather than after the pause.
    connect(m_search, &QLineEdit::returnPressed, this, [this] {
        if (m_debounce.isActive())
            emitNow();
    });
}

void LogFilterBar::setNow(std::function<qint64()> now)
{
    m_now = now ? std::move(now) : [] { return QDateTime::currentMSecsSinceEpoch(); };
}

void LogFilterBar::setWebhooks(const QList<QPair<qint64, QString>>& webhooks)
{
    const QVariant current = m_webhook->currentData();
    bool kept = true;
    {
        // Rebuilding the list is not a filter change; only losing the chosen entry is.
        const QSignalBlocker block(m_webhook);
        m_webhook->clear();
        m_webhook->addItem(tr("All webhooks"));
        for (const auto& [id, name] : webhooks)
            m_webhook->addItem(name, id);
        kept = reselect(m_webhook, current);
    }
    if (!kept)
        emitNow(); // the chosen webhook is gone: the list now shows all of them
}

void LogFilterBar::setEventTypes(const QStringList& types)
{
    const QVariant current = m_event->currentData();
    bool kept = true;
    {
        // Rebuilding the list is not a filter change; only losing the chosen entry is.
        const QSignalBlocker block(m_event);
        m_event->clear();
        m_event->addItem(tr("All events"));
        for (const QString& type : types)
            m_event->addItem(type, type);
        kept = reselect(m_event, current);
    }
    if (!kept)
        emitNow();
}

void LogFilterBar::updateCustomRange()
{
    const bool custom = Range(m_range->currentData().toInt()) == Range::Custom;
    if (custom && !m_from->isVisibleTo(this)) {
        // Start from the last day, which is what the user most likely narrows down from.
        const QSignalBlocker blockFrom(m_from);
        const QSignalBlocker blockTo(m_to);
        const qint64 now = m_now();
        m_from->setDateTime(QDateTime::fromMSecsSinceEpoch(now - 24 * kHourMs));
        m_to->setDateTime(QDateTime::fromMSecsSinceEpoch(now + 60 * 1000));
    }
    m_from->setVisible(custom);
    m_to->setVisible(custom);
}

DeliveryFilter LogFilterBar::filter() const
{
    DeliveryFilter f;
    if (m_webhook->currentIndex() > 0)
        f.webhookId = m_webhook->currentData().toLongLong();
    if (m_event->currentIndex() > 0)
        f.eventType = m_event->currentData().toString();
    switch (Outcome(m_outcome->currentData().toInt())) {
    case Outcome::All:
        break;
    case Outcome::Succeeded:
        f.status = DeliveryStatus::Succeeded;
        break;
    case Outcome::Failed:
        f.status = DeliveryStatus::Failed;
        break;
    case Outcome::Retrying:
        f.status = DeliveryStatus::Retrying;
        break;
    case Outcome::Pending:
        f.status = DeliveryStatus::Pending;
        break;
    }
    switch (Range(m_range->currentData().toInt())) {
    case Range::LastHour:
        f.sinceMs = m_now() - kHourMs;
        break;
    case Range::LastDay:
        f.sinceMs = m_now() - 24 * kHourMs;
        break;
    case Range::LastWeek:
        f.sinceMs = m_now() - 7 * 24 * kHourMs;
        break;
    case Range::AllTime:
        break;
    case Range::Custom:
        f.sinceMs = m_from->dateTime().toMSecsSinceEpoch();
        f.untilMs = m_to->dateTime().toMSecsSinceEpoch();
        break;
    }
    f.text = m_search->text().trimmed();
    return f;
}

void LogFilterBar::setFilter(const DeliveryFilter& f)
{
    {
        const QSignalBlocker blockWebhook(m_webhook), blockEvent(m_event), blockOutcome(m_outcome), blockRange(m_range),
            blockFrom(m_from), blockTo(m_to), blockSearch(m_search);
        reselect(m_webhook, f.webhookId ? QVariant(*f.webhookId) : QVariant());
        reselect(m_event, f.eventType.isEmpty() ? QVariant() : QVariant(f.eventType));
        Outcome outcome = Outcome::All;
        if (f.status) {
            static const Outcome byStatus[] = {Outcome::Pending, Outcome::Retrying, Outcome::Succeeded,
                                               Outcome::Failed}; // indexed like DeliveryStatus
            outcome = byStatus[int(*f.status)];
        }
        m_outcome->setCurrentIndex(m_outcome->findData(int(outcome)));
        const bool custom = f.sinceMs || f.untilMs;
        m_range->setCurrentIndex(m_range->findData(int(custom ? Range::Custom : Range::AllTime)));
        if (custom) {
            m_from->setDateTime(QDateTime::fromMSecsSinceEpoch(f.sinceMs.value_or(0)));
            m_to->setDateTime(QDateTime::fromMSecsSinceEpoch(f.untilMs.value_or(m_now() + 60 * 1000)));
        }
        m_from->setVisible(custom);
        m_to->setVisible(custom);
        m_search->setText(f.text);
    }
    emitNow();
}

void LogFilterBar::focusSearch()
{
    m_search->setFocus(Qt::ShortcutFocusReason);
    m_search->selectAll();
}

void LogFilterBar::emitNow()
{
    m_debounce.stop();
    Q_EMIT filterChanged(filter());
}

} // namespace outhook::ui
