#include "log/AttemptDetailView.h"

#include "log/DeliveryLogModel.h"

#include <QDateTime>
#include <QFontDatabase>
#include <QHeaderView>
#include <QJsonDocument>
#include <QLabel>
#include <QPlainTextEdit>
#include <QSplitter>
#include <QStackedWidget>
#include <QTableWidget>
#include <QVBoxLayout>

namespace outhook::ui {

namespace {

QString formatTime(qint64 ms)
{
    return QDateTime::fromMSecsSinceEpoch(ms).toLocalTime().toString(QStringLiteral("yyyy-MM-dd HH:mm:ss"));
}

// JSON bodies are far easier to read indented; anything else (or JSON cut off by truncation) is shown as
// received.
QString prettyBody(const QByteArray& body)
{
    QJsonParseError error;
    const QJsonDocument doc = QJsonDocument::fromJson(body, &error);
    if (error.error == QJsonParseError::NoError && (doc.isObject() || doc.isArray()))
        return QString::fromUtf8(doc.toJson(QJsonDocument::Indented));
    return QString::fromUtf8(body);
}

QPlainTextEdit* makeTextView(const QString& accessibleName, QWidget* parent)
{
    auto* edit = new QPlainTextEdit(parent);
    edit->setReadOnly(true);
    edit->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    edit->setLineWrapMode(QPlainTextEdit::NoWrap);
    edit->setAccessibleName(accessibleName);
    return edit;
}

QLabel* makeCaption(const QString& text, QWidget* parent)
{
    auto* label = new QLabel(text, parent);
    QFont f = label->font();
    f.setBold(true);
    label->setFont(f);
    return label;
}

} // namespace

AttemptDetailView::AttemptDetailView(QWidget* parent)
    : QWidget(parent)
    , m_summary(new QLabel(this))
    , m_pages(new QStackedWidget(this))
{
    m_summary->setTextInteractionFlags(Qt::TextSelectableByMouse | Qt::TextSelectableByKeyboard);
    m_summary->setTextFormat(Qt::PlainText);
    m_summary->setWordWrap(true);
    m_summary->setAccessibleName(tr("Summary"));
    QFont f = m_summary->font();
    f.setBold(true);
    m_summary->setFont(f);

    auto* empty = new QLabel(tr("Select a delivery or an attempt to see its details."), this);
    empty->setAlignment(Qt::AlignCenter);
    empty->setForegroundRole(QPalette::PlaceholderText);
    m_emptyPage = empty;
    m_deliveryPage = buildDeliveryPage();
    m_attemptPage = buildAttemptPage();
    m_pages->addWidget(m_emptyPage);
    m_pages->addWidget(m_deliveryPage);
    m_pages->addWidget(m_attemptPage);

    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(6, 6, 6, 6);
    layout->addWidget(m_summary);
    layout->addWidget(m_pages, 1);
    clear();
}

QWidget* AttemptDetailView::buildDeliveryPage()
{
    auto* page = new QWidget(this);
    m_payload = makeTextView(tr("Payload"), page);
    auto* layout = new QVBoxLayout(page);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(makeCaption(tr("Payload"), page));
    layout->addWidget(m_payload, 1);
    return page;
}

QTableWidget* AttemptDetailView::makeHeaderTable(const QString& accessibleName)
{
    auto* table = new QTableWidget(0, 2, this);
    table->setHorizontalHeaderLabels({tr("Name"), tr("Value")});
    table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    table->setSelectionBehavior(QAbstractItemView::SelectRows);
    table->setWordWrap(false);
    table->setShowGrid(false);
    table->setAlternatingRowColors(true);
    table->verticalHeader()->hide();
    table->verticalHeader()->setDefaultSectionSize(table->fontMetrics().height() + 6);
    table->horizontalHeader()->setStretchLastSection(true);
    table->horizontalHeader()->setHighlightSections(false);
    table->setColumnWidth(0, 170);
    table->setAccessibleName(accessibleName);
    return table;
}

QWidget* AttemptDetailView::buildAttemptPage()
{
    auto* page = new QSplitter(Qt::Horizontal, this);
    page->setChildrenCollapsible(false);

    auto* headers = new QWidget(page);
    m_responseHeaders = makeHeaderTable(tr("Response headers"));
    m_requestHeaders = makeHeaderTable(tr("Request headers"));
    auto* headerLayout = new QVBoxLayout(headers);
    headerLayout->setContentsMargins(0, 0, 0, 0);
    headerLayout->addWidget(makeCaption(tr("Response headers"), headers));
    headerLayout->addWidget(m_responseHeaders, 1);
    headerLayout->addWidget(makeCaption(tr("Request headers"), headers));
    headerLayout->addWidget(m_requestHeaders, 1);

    auto* body = new QWidget(page);
    m_truncated = new QLabel(body);
    m_truncated->setAccessibleName(tr("Truncation note"));
    m_truncated->setForegroundRole(QPalette::PlaceholderText);
    m_body = makeTextView(tr("Response body"), body);
    m_body->setPlaceholderText(tr("(empty body)"));
    auto* bodyLayout = new QVBoxLayout(body);
    bodyLayout->setContentsMargins(0, 0, 0, 0);
    bodyLayout->addWidget(makeCaption(tr("Response body"), body));
    bodyLayout->addWidget(m_truncated);
    bodyLayout->addWidget(m_body, 1);

    page->addWidget(headers);
    page->addWidget(body);
    page->setStretchFactor(0, 2);
    page->setStretchFactor(1, 3);
    return page;
}

void AttemptDetailView::showDelivery(const Delivery& d)
{
    m_summary->setText(tr("Delivery %1 · %2 · %3 · webhook-id %4")
                           .arg(QString::number(d.id), d.eventType, DeliveryLogModel::statusText(d.status), d.msgId));
    m_summary->setToolTip(d.url);
    m_summary->show();
    m_payload->setPlainText(prettyBody(d.payload));
    m_pages->setCurrentWidget(m_deliveryPage);
}

void AttemptDetailView::showAttempt(const Attempt& a)
{
    QStringList parts{tr("Attempt %1").arg(a.number)};
    if (a.statusCode)
        parts << tr("HTTP %1").arg(*a.statusCode);
    else
        parts << a.errorClass + QStringLiteral(": ") + a.error;
    parts << tr("%1 ms").arg(a.durationMs) << DeliveryLogModel::triggerText(a.trigger);
    parts << formatTime(a.startedAt);
    if (!a.remoteAddress.isEmpty())
        parts << tr("remote %1").arg(a.remoteAddress);
    m_summary->setText(parts.join(QStringLiteral(" · ")));
    m_summary->setToolTip(a.errorClass.isEmpty() ? QString() : a.errorClass + QStringLiteral(": ") + a.error);
    m_summary->show();

    fillHeaders(m_responseHeaders, a.responseHeaders);
    fillHeaders(m_requestHeaders, a.requestHeaders);
    m_requestHeaders->setToolTip(tr("POST %1").arg(a.requestUrl));
    m_body->setPlainText(prettyBody(a.responseBody));
    m_truncated->setText(
        a.truncated ? tr("Truncated at %1 KiB (full size %2 bytes)")
                          .arg(QString::number(a.responseBody.size() / 1024), QString::number(a.responseBodySize))
                    : QString());
    m_truncated->setVisible(a.truncated);
    m_pages->setCurrentWidget(m_attemptPage);
}

void AttemptDetailView::clear()
{
    m_summary->clear();
    m_summary->setToolTip({});
    m_summary->hide();
    m_payload->clear();
    m_body->clear();
    m_truncated->clear();
    m_truncated->hide();
    m_requestHeaders->setRowCount(0);
    m_responseHeaders->setRowCount(0);
    m_pages->setCurrentWidget(m_emptyPage);
}

void AttemptDetailView::fillHeaders(QTableWidget* table, const RawHeaders& headers)
{
    table->setRowCount(int(headers.size()));
    for (int row = 0; row < headers.size(); ++row) {
        const QString name = QString::fromLatin1(headers.at(row).first);
        const QString value = QString::fromUtf8(headers.at(row).second);
        auto* valueItem = new QTableWidgetItem(value);
        valueItem->setToolTip(value);
        table->setItem(row, 0, new QTableWidgetItem(name));
        table->setItem(row, 1, valueItem);
    }
}

QString AttemptDetailView::summaryText() const
{
    return m_summary->text();
}

QString AttemptDetailView::bodyText() const
{
    if (isShowingDelivery())
        return m_payload->toPlainText();
    if (isShowingAttempt())
        return m_body->toPlainText();
    return {};
}

QString AttemptDetailView::truncationText() const
{
    return m_truncated->isVisibleTo(this) ? m_truncated->text() : QString();
}

QAbstractItemModel* AttemptDetailView::requestHeadersModel() const
{
    return m_requestHeaders->model();
}

QAbstractItemModel* AttemptDetailView::responseHeadersModel() const
{
    return m_responseHeaders->model();
}

bool AttemptDetailView::isShowingAttempt() const
{
    return m_pages->currentWidget() == m_attemptPage;
}

bool AttemptDetailView::isShowingDelivery() const
{
    return m_pages->currentWidget() == m_deliveryPage;
}

void AttemptDetailView::focusContent()
{
    if (isShowingAttempt())
        m_body->setFocus(Qt::OtherFocusReason);
    else if (isShowingDelivery())
        m_payload->setFocus(Qt::OtherFocusReason);
}

} // namespace outhook::ui
