#include "settings/NetworkPage.h"

#include "delivery/DestinationPolicy.h"

#include <QFileDialog>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPushButton>
#include <QVBoxLayout>

namespace outhook::ui {

namespace {

QStringList itemsOf(const QListWidget* list)
{
    QStringList out;
    for (int i = 0; i < list->count(); ++i)
        out << list->item(i)->text();
    return out;
}

} // namespace

NetworkPage::NetworkPage(QWidget* parent)
    : QWidget(parent)
    , m_caFiles(new QListWidget(this))
    , m_addCa(new QPushButton(tr("&Add…"), this))
    , m_removeCa(new QPushButton(tr("&Remove"), this))
    , m_destinations(new QListWidget(this))
    , m_destinationEdit(new QLineEdit(this))
    , m_addDestination(new QPushButton(tr("A&llow"), this))
    , m_removeDestination(new QPushButton(tr("Re&move"), this))
    , m_warning(new QLabel(this))
    , m_picker([](QWidget* owner) {
        return QFileDialog::getOpenFileNames(owner, tr("Add CA Certificates"), QString(),
                                             tr("PEM certificates (*.pem *.crt *.cer);;All files (*)"));
    })
{
    m_caFiles->setMaximumHeight(110);
    m_addCa->setAccessibleName(tr("Add CA file"));
    m_removeCa->setAccessibleName(tr("Remove CA file"));
    m_destinations->setMaximumHeight(110);
    m_destinationEdit->setPlaceholderText(tr("10.0.0.0/8, 192.168.1.20 or fd00::/8"));
    m_destinationEdit->setAccessibleName(tr("Private destination to allow"));
    m_addDestination->setAccessibleName(tr("Allow destination"));
    m_removeDestination->setAccessibleName(tr("Remove allowed destination"));

    m_warning->setObjectName(QStringLiteral("destinationWarning"));
    m_warning->setWordWrap(true);
    m_warning->setAlignment(Qt::AlignLeft | Qt::AlignTop); // wrapped text sits under its field, not centred
    m_warning->setText(tr("⚠ Warning: every range listed here can be reached by any webhook URL, including "
                          "machines inside your network (databases, admin consoles, cloud metadata at "
                          "169.254.169.254). Allow only the ranges your receivers really live in."));
    m_warning->setAccessibleName(m_warning->text());
    QPalette pal = m_warning->palette();
    pal.setColor(QPalette::WindowText, QColor(0x9a, 0x4d, 0x00));
    m_warning->setPalette(pal);

    auto* caButtons = new QVBoxLayout;
    caButtons->addWidget(m_addCa);
    caButtons->addWidget(m_removeCa);
    caButtons->addStretch();
    auto* caRow = new QHBoxLayout;
    caRow->addWidget(m_caFiles, 1);
    caRow->addLayout(caButtons);

    auto* addRow = new QHBoxLayout;
    addRow->addWidget(m_destinationEdit, 1);
    addRow->addWidget(m_addDestination);
    auto* destButtons = new QVBoxLayout;
    destButtons->addWidget(m_removeDestination);
    destButtons->addStretch();
    auto* destRow = new QHBoxLayout;
    destRow->addWidget(m_destinations, 1);
    destRow->addLayout(destButtons);

    auto* form = new QFormLayout(this);
    form->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
    auto* caHint = new QLabel(tr("Trusted in addition to the system's certificates, for receivers with a private "
                                 "CA. Applies after a restart; --ca-file adds more."),
                              this);
    caHint->setWordWrap(true);
    caHint->setAlignment(Qt::AlignLeft | Qt::AlignTop); // wrapped text sits under its field, not centred
    caHint->setForegroundRole(QPalette::PlaceholderText);
    m_messages.addRow(form, tr("Extra &CA files:"), caRow, m_caFiles, QStringLiteral("ca_files"));
    form->addRow(QString(), caHint);
    m_messages.addRow(form, tr("Allowed &private destinations:"), destRow, m_destinations,
                      QStringLiteral("allowed_destinations"));
    form->addRow(QString(), addRow);
    form->addRow(QString(), m_warning);

    // The list and its own buttons sit in the layout apart from the form rows; keep Tab in reading order.
    setTabOrder(m_caFiles, m_addCa);
    setTabOrder(m_addCa, m_removeCa);
    setTabOrder(m_removeCa, m_destinations);
    setTabOrder(m_destinations, m_removeDestination);
    setTabOrder(m_removeDestination, m_destinationEdit);
    setTabOrder(m_destinationEdit, m_addDestination);

    connect(m_addCa, &QPushButton::clicked, this, &NetworkPage::addCaFiles);
    connect(m_removeCa, &QPushButton::clicked, this, [this] {
        delete m_caFiles->currentItem();
        updateButtons();
    });
    connect(m_addDestination, &QPushButton::clicked, this, &NetworkPage::addDestination);
    connect(m_destinationEdit, &QLineEdit::returnPressed, this, &NetworkPage::addDestination);
    connect(m_destinationEdit, &QLineEdit::textChanged, this, &NetworkPage::updateButtons);
    connect(m_removeDestination, &QPushButton::clicked, this, [this] {
        delete m_destinations->currentItem();
        updateButtons();
    });
    connect(m_caFiles, &QListWidget::currentRowChanged, this, &NetworkPage::updateButtons);
    connect(m_destinations, &QListWidget::currentRowChanged, this, &NetworkPage::updateButtons);
    updateButtons();
}

void NetworkPage::load(const PersonalSettings& s)
{
    m_caFiles->clear();
    m_caFiles->addItems(s.caFiles);
    m_destinations->clear();
    m_destinations->addItems(s.allowedDestinations);
    updateButtons();
}

void NetworkPage::store(PersonalSettings& s) const
{
    s.caFiles = itemsOf(m_caFiles);
    s.allowedDestinations = itemsOf(m_destinations);
}

void NetworkPage::addCaFiles()
{
    const QStringList existing = itemsOf(m_caFiles);
    for (const QString& file : m_picker(this)) {
        if (!existing.contains(file))
            m_caFiles->addItem(file);
    }
    m_caFiles->setCurrentRow(m_caFiles->count() - 1);
    updateButtons();
}

// A bad range is refused at once, with the field named, instead of at Save.
void NetworkPage::addDestination()
{
    const QString cidr = m_destinationEdit->text().trimmed();
    if (cidr.isEmpty())
        return;
    DestinationPolicy probe;
    if (!probe.allow(cidr)) {
        m_messages.show({{QStringLiteral("allowed_destinations"),
                          tr("%1 is not an address or a range like 10.0.0.0/8").arg(cidr)}});
        return;
    }
    m_messages.clear();
    if (!itemsOf(m_destinations).contains(cidr))
        m_destinations->addItem(cidr);
    m_destinationEdit->clear();
    updateButtons();
}

void NetworkPage::updateButtons()
{
    m_removeCa->setEnabled(m_caFiles->currentItem() != nullptr);
    m_removeDestination->setEnabled(m_destinations->currentItem() != nullptr);
    m_addDestination->setEnabled(!m_destinationEdit->text().trimmed().isEmpty());
}

} // namespace outhook::ui
