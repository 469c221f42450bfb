#include "webhooks/TestSendDialog.h"

#include <QDialogButtonBox>
#include <QFontDatabase>
#include <QHeaderView>
#include <QJsonDocument>
#include <QLabel>
#include <QPlainTextEdit>
#include <QSplitter>
#include <QTableWidget>
#include <QVBoxLayout>

namespace outhook::ui {

TestSendDialog::TestSendDialog(QWidget* parent)
    : QDialog(parent)
    , m_title(new QLabel(this))
    , m_status(new QLabel(this))
    , m_details(new QLabel(this))
    , m_headers(new QTableWidget(0, 2, this))
    , m_body(new QPlainTextEdit(this))
{
    setWindowTitle(tr("Test Send"));
    resize(640, 520);
    QFont big = m_status->font();
    big.setPointSizeF(big.pointSizeF() * 1.5);
    big.setBold(true);
    m_status->setFont(big);
    m_status->setAccessibleName(tr("Result"));
    m_title->setWordWrap(true);
    m_title->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_details->setWordWrap(true);
    m_details->setTextInteractionFlags(Qt::TextSelectableByMouse);

    m_headers->setHorizontalHeaderLabels({tr("Response header"), tr("Value")});
    m_headers->horizontalHeader()->setStretchLastSection(true);
    m_headers->verticalHeader()->hide();
    m_headers->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_headers->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_headers->setAccessibleName(tr("Response headers"));
    m_body->setReadOnly(true);
    m_body->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_body->setAccessibleName(tr("Response body"));
    m_body->setPlaceholderText(tr("(empty body)"));

    auto* split = new QSplitter(Qt::Vertical, this);
    split->addWidget(m_headers);
    split->addWidget(m_body);
    split->setStretchFactor(1, 2);

    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);

    auto* layout = new QVBoxLayout(this);
    layout->addWidget(m_title);
    layout->addWidget(m_status);
    layout->addWidget(m_details);
    layout->addWidget(split, 1);
    layout->addWidget(buttons);
}

void TestSendDialog::showPending(const QString& webhookName, const QString& url)
{
    m_title->setText(tr("<b>%1</b><br>%2").arg(webhookName.toHtmlEscaped(), url.toHtmlEscaped()));
    m_status->setText(tr("Sending…"));
    m_details->clear();
}

void TestSendDialog::showResult(const TestSendResult& r)
{
    const Attempt& a = r.attempt;
    const bool ok = r.status == DeliveryStatus::Succeeded;
    m_hasResult = true;
    QPalette pal = m_status->palette();
    pal.setColor(QPalette::WindowText, ok ? QColor(0x1a, 0x7f, 0x37) : QColor(0xc6, 0x28, 0x28));
    m_status->setPalette(pal);
    m_status->setText(a.statusCode ? (ok ? tr("%1 OK").arg(*a.statusCode) : tr("HTTP %1").arg(*a.statusCode))
                                   : tr("No response"));
    QStringList lines;
    lines << tr("%1 sample payload, %2 ms, delivery %3").arg(r.eventType).arg(a.durationMs).arg(r.deliveryId);
    lines << (r.signatureSent ? tr("Signed: webhook-id, webhook-timestamp and webhook-signature were sent")
                              : tr("Not signed: no live signing secret"));
    if (!a.errorClass.isEmpty())
        lines << tr("Error: %1 (%2)").arg(a.error, a.errorClass);
    if (a.truncated)
        lines << tr("Body truncated at 64 KiB (full size %1 bytes)").arg(a.responseBodySize);
    m_details->setText(lines.join(QLatin1Char('\n')));

    m_headers->setRowCount(int(a.responseHeaders.size()));
    for (int i = 0; i < a.responseHeaders.size(); ++i) {
        m_headers->setItem(i, 0, new QTableWidgetItem(QString::fromLatin1(a.responseHeaders.at(i).first)));
        m_headers->setItem(i, 1, new QTableWidgetItem(QString::fromUtf8(a.responseHeaders.at(i).second)));
    }
    m_headers->resizeColumnToContents(0);
    QJsonParseError error;
    const QJsonDocument doc = QJsonDocument::fromJson(a.responseBody, &error);
    m_body->setPlainText(error.error == QJsonParseError::NoError && !doc.isNull()
                             ? QString::fromUtf8(doc.toJson(QJsonDocument::Indented))
                             : QString::fromUtf8(a.responseBody));
}

void TestSendDialog::showError(const QString& message)
{
    m_hasResult = true;
    m_status->setText(tr("Could not send"));
    m_details->setText(message);
}

QString TestSendDialog::statusText() const
{
    return m_status->text() + QLatin1Char('\n') + m_details->text();
}

QString TestSendDialog::bodyText() const
{
    return m_body->toPlainText();
}

} // namespace outhook::ui
