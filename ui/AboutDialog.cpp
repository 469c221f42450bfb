#include "AboutDialog.h"

#include "delivery/CurlTransport.h"

#include <QApplication>
#include <QDialogButtonBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QSslSocket>
#include <QTextBrowser>
#include <QVBoxLayout>

namespace outhook::ui {

namespace {

#ifdef OUTHOOK_HAVE_TCMALLOC
// The licence's own words, untranslated: its conditions ask for this text with the binaries.
constexpr char kTcmallocNotice[] =
    "<h3>tcmalloc (gperftools)</h3>"
    "<p>Memory is allocated with tcmalloc from gperftools "
    "(<a href=\"https://github.com/gperftools/gperftools\">github.com/gperftools/gperftools</a>).</p>"
    "<p>Copyright © Google Inc. All rights reserved.</p>"
    "<p>Redistribution and use in source and binary forms, with or without modification, are permitted provided "
    "that the following conditions are met:</p>"
    "<ul><li>Redistributions of source code must retain the above copyright notice, this list of conditions and "
    "the following disclaimer.</li>"
    "<li>Redistributions in binary form must reproduce the above copyright notice, this list of conditions and the "
    "following disclaimer in the documentation and/or other materials provided with the distribution.</li>"
    "<li>Neither the name of Google Inc. nor the names of its contributors may be used to endorse or promote "
    "products derived from this software without specific prior written permission.</li></ul>"
    "<p>THIS SOFTWARE IS PROVIDED BY THE COPYRIGHT HOLDERS AND CONTRIBUTORS \"AS IS\" AND ANY EXPRESS OR IMPLIED "
    "WARRANTIES, INCLUDING, BUT NOT LIMITED TO, THE IMPLIED WARRANTIES OF MERCHANTABILITY AND FITNESS FOR A "
    "PARTICULAR PURPOSE ARE DISCLAIMED. IN NO EVENT SHALL THE COPYRIGHT OWNER OR CONTRIBUTORS BE LIABLE FOR ANY "
    "DIRECT, INDIRECT, INCIDENTAL, SPECIAL, EXEMPLARY, OR CONSEQUENTIAL DAMAGES (INCLUDING, BUT NOT LIMITED TO, "
    "PROCUREMENT OF SUBSTITUTE GOODS OR SERVICES; LOSS OF USE, DATA, OR PROFITS; OR BUSINESS INTERRUPTION) HOWEVER "
    "CAUSED AND ON ANY THEORY OF LIABILITY, WHETHER IN CONTRACT, STRICT LIABILITY, OR TORT (INCLUDING NEGLIGENCE OR "
    "OTHERWISE) ARISING IN ANY WAY OUT OF THE USE OF THIS SOFTWARE, EVEN IF ADVISED OF THE POSSIBILITY OF SUCH "
    "DAMAGE.</p>";
#else
constexpr char kTcmallocNotice[] = "";
#endif

} // namespace

QString AboutDialog::versionText()
{
    return tr("Outhook %1").arg(QStringLiteral(OUTHOOK_VERSION));
}

AboutDialog::AboutDialog(const QString& databaseName, QWidget* parent)
    : QDialog(parent)
    , m_licences(new QTextBrowser(this))
{
    setWindowTitle(tr("About Outhook"));
    auto* icon = new QLabel(this);
    icon->setPixmap(QIcon(QStringLiteral(":/outhook.svg")).pixmap(QSize(72, 72), devicePixelRatioF()));
    icon->setAccessibleName(tr("Outhook icon"));
    icon->setAlignment(Qt::AlignTop);

    auto* title = new QLabel(QStringLiteral("<h2>%1</h2>").arg(versionText().toHtmlEscaped()), this);
    title->setObjectName(QStringLiteral("aboutVersion"));
    title->setAccessibleName(versionText());
    auto* summary = new QLabel(tr("Manage and debug outbound webhooks: signed deliveries, retries and a "
                                  "searchable history of every attempt."),
                               this);
    summary->setWordWrap(true);
    auto* details = new QLabel(tr("Database: %1<br>Qt %2 · %3 · TLS: %4")
                                   .arg(databaseName.toHtmlEscaped(), QString::fromLatin1(qVersion()),
                                        CurlTransport::libraryVersions().toHtmlEscaped(),
                                        QSslSocket::sslLibraryVersionString().toHtmlEscaped()),
                               this);
    details->setObjectName(QStringLiteral("aboutDetails"));
    details->setWordWrap(true);
    details->setTextInteractionFlags(Qt::TextSelectableByMouse);

    m_licences->setObjectName(QStringLiteral("aboutLicences"));
    m_licences->setAccessibleName(tr("Licences"));
    m_licences->setOpenExternalLinks(true);
    m_licences->setMinimumHeight(220);
    m_licences->setHtml(
        tr("<h3>Outhook</h3>"
           "<p>Copyright © 2026 the Outhook authors. All rights reserved.</p>"
           "<h3>Qt %1</h3>"
           "<p>Outhook uses the Qt toolkit under the GNU Lesser General Public License version 3 (LGPLv3), "
           "linked dynamically, so you may replace the Qt libraries with your own build. The licence text and "
           "Qt's source code are available from <a href=\"https://www.qt.io/licensing/\">qt.io/licensing</a> "
           "and from your distribution's Qt source packages.</p>"
           "<h3>OpenSSL</h3>"
           "<p>Signing, secret encryption and TLS use OpenSSL, under the Apache License 2.0 "
           "(<a href=\"https://www.apache.org/licenses/LICENSE-2.0\">apache.org/licenses/LICENSE-2.0</a>).</p>"
           "<h3>libcurl</h3>"
           "<p>Deliveries are sent with libcurl, under the curl licence (MIT/X derivative): Copyright © Daniel "
           "Stenberg and many contributors. Permission to use, copy, modify and distribute this software for any "
           "purpose with or without fee is hereby granted, provided that the copyright notice and this permission "
           "notice appear in all copies "
           "(<a href=\"https://curl.se/docs/copyright.html\">curl.se/docs/copyright.html</a>).</p>")
            .arg(QString::fromLatin1(qVersion())) +
        QString::fromUtf8(kTcmallocNotice));

    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
    QPushButton* aboutQt = buttons->addButton(tr("About &Qt"), QDialogButtonBox::HelpRole);
    aboutQt->setAccessibleName(tr("About Qt"));
    buttons->button(QDialogButtonBox::Close)->setAccessibleName(tr("Close"));
    connect(aboutQt, &QPushButton::clicked, &QApplication::aboutQt);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);

    auto* text = new QVBoxLayout;
    text->addWidget(title);
    text->addWidget(summary);
    text->addWidget(details);
    auto* top = new QHBoxLayout;
    top->addWidget(icon);
    top->addLayout(text, 1);
    auto* layout = new QVBoxLayout(this);
    layout->addLayout(top);
    layout->addWidget(m_licences, 1);
    layout->addWidget(buttons);
    resize(560, 520);
}

} // namespace outhook::ui
