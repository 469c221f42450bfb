// Fails when a translation falls behind the code: runs lupdate over the current sources (the paths in
// translations/sources.txt) into temporary copies of translations/outhook_*.ts, then reads them back.
// Any string left unfinished, any string the sources no longer have (vanished/obsolete), an empty
// translation, a placeholder (%1, %n) or &-accelerator that the translation lost or invented, and
// any tr() that lupdate could not place in a context is reported with its context and source text.
// The .ts files in the source tree are never written; scripts/update-translations does that.
#include <QDir>
#include <QFile>
#include <QProcess>
#include <QRegularExpression>
#include <QSet>
#include <QTemporaryDir>
#include <QTest>
#include <QXmlStreamReader>

namespace {

struct Message
{
    QString context;
    QString source;
    QString type;      // the translation's type attribute: "", "unfinished", "vanished", "obsolete"
    QStringList forms; // one entry, or one per numerus form
    bool numerus = false;
};

QList<Message> readTs(const QString& path, QString* error)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        *error = file.errorString();
        return {};
    }
    QList<Message> messages;
    QXmlStreamReader xml(&file);
    QString context;
    Message current;
    while (!xml.atEnd()) {
        xml.readNext();
        if (!xml.isStartElement())
            continue;
        const auto name = xml.name();
        if (name == QLatin1String("name")) {
            context = xml.readElementText();
        } else if (name == QLatin1String("message")) {
            current = Message();
            current.context = context;
            current.numerus = xml.attributes().value(QLatin1String("numerus")) == QLatin1String("yes");
        } else if (name == QLatin1String("source")) {
            current.source = xml.readElementText();
        } else if (name == QLatin1String("translation")) {
            current.type = xml.attributes().value(QLatin1String("type")).toString();
            if (current.numerus) {
                while (xml.readNextStartElement()) {
                    if (xml.name() == QLatin1String("numerusform"))
                        current.forms << xml.readElementText();
                    else
                        xml.skipCurrentElement();
                }
            } else {
                current.forms << xml.readElementText();
            }
            messages << current;
        }
    }
    if (xml.hasError())
        *error = QStringLiteral("%1 at line %2").arg(xml.errorString()).arg(xml.lineNumber());
    return messages;
}

QStringList placeholders(const QString& text)
{
    static const QRegularExpression re(QStringLiteral("%(\\d+|n)"));
    QStringList found;
    for (const auto& m : re.globalMatch(text))
        found << m.captured(0);
    found.sort();
    found.removeDuplicates();
    return found;
}

// The number of &-accelerators ("&&" is a literal ampersand).
int accelerators(const QString& text)
{
    int count = 0;
    for (qsizetype i = 0; i + 1 < text.size(); ++i) {
        if (text.at(i) != QLatin1Char('&'))
            continue;
        if (text.at(i + 1) == QLatin1Char('&'))
            ++i;
        else if (!text.at(i + 1).isSpace())
            ++count;
    }
    return count;
}

QStringList problemsOf(const Message& m)
{
    QStringList problems;
    if (m.type == QLatin1String("unfinished"))
        problems << QStringLiteral("unfinished (not translated yet)");
    else if (m.type == QLatin1String("vanished") || m.type == QLatin1String("obsolete"))
        problems << QStringLiteral("%1: no longer in the sources").arg(m.type);
    if (!problems.isEmpty())
        return problems;
    if (m.forms.isEmpty())
        problems << QStringLiteral("no translation");
    for (const QString& form : m.forms) {
        if (form.trimmed().isEmpty() && !m.source.trimmed().isEmpty()) {
            problems << QStringLiteral("empty translation");
            continue;
        }
        // A numerus form may drop %n (German "ein Problem"); every other placeholder must survive.
        QStringList want = placeholders(m.source);
        QStringList got = placeholders(form);
        if (m.numerus && m.forms.size() > 1) {
            want.removeAll(QStringLiteral("%n"));
            got.removeAll(QStringLiteral("%n"));
        }
        if (want != got)
            problems << QStringLiteral("placeholders %1 in the source but %2 in \"%3\"")
                            .arg(want.isEmpty() ? QStringLiteral("none") : want.join(QLatin1Char(',')),
                                 got.isEmpty() ? QStringLiteral("none") : got.join(QLatin1Char(',')), form);
        if (accelerators(m.source) != accelerators(form))
            problems << QStringLiteral("%1 &-accelerator(s) in the source but %2 in \"%3\"")
                            .arg(accelerators(m.source))
                            .arg(accelerators(form))
                            .arg(form);
    }
    return problems;
}

} // namespace

class TestTranslationsComplete : public QObject
{
    Q_OBJECT
    QTemporaryDir m_tmp;
    QStringList m_tsFiles; // the temporary, freshly updated copies
    QString m_lupdateOutput;

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_tmp.isValid());
        const QDir root(QStringLiteral(OUTHOOK_SOURCE_DIR));
        QFile list(root.filePath(QStringLiteral("translations/sources.txt")));
        QVERIFY2(list.open(QIODevice::ReadOnly | QIODevice::Text), qPrintable(list.fileName()));
        QStringList sources;
        for (const QByteArray& raw : list.readAll().split('\n')) {
            const QString line = QString::fromUtf8(raw).trimmed();
            if (line.isEmpty() || line.startsWith(QLatin1Char('#')))
                continue;
            if (line.startsWith(QLatin1String("-I ")))
                sources << QStringLiteral("-I") << root.filePath(line.mid(3).trimmed());
            else
                sources << root.filePath(line);
        }
        QVERIFY(!sources.isEmpty());

        const QStringList originals =
            QDir(root.filePath(QStringLiteral("translations"))).entryList({QStringLiteral("outhook_*.ts")});
        QVERIFY2(!originals.isEmpty(), "no translations/outhook_*.ts");
        for (const QString& name : originals) {
            const QString copy = m_tmp.filePath(name);
            QVERIFY(QFile::copy(root.filePath(QStringLiteral("translations/") + name), copy));
            QFile::setPermissions(copy, QFile::ReadOwner | QFile::WriteOwner);
            m_tsFiles << copy;
        }

        // No -no-obsolete here: a string removed from the code must show up as vanished.
        QProcess lupdate;
        lupdate.setProcessChannelMode(QProcess::MergedChannels);
        lupdate.start(QStringLiteral(OUTHOOK_LUPDATE),
                      QStringList{QStringLiteral("-locations"), QStringLiteral("none"), QStringLiteral("-extensions"),
                                  QStringLiteral("cpp,h")} +
                          sources + QStringList{QStringLiteral("-ts")} + m_tsFiles);
        QVERIFY2(lupdate.waitForFinished(120000), qPrintable(lupdate.errorString()));
        m_lupdateOutput = QString::fromLocal8Bit(lupdate.readAll());
        QVERIFY2(lupdate.exitStatus() == QProcess::NormalExit && lupdate.exitCode() == 0, qPrintable(m_lupdateOutput));
    }

    // lupdate drops a tr() it cannot give a context to, or guesses one the runtime does not use, so such a
    // string would never be translated.
    void everyStringHasAContext()
    {
        QStringList bad;
        for (const QString& line : m_lupdateOutput.split(QLatin1Char('\n'))) {
            if (line.contains(QLatin1String("cannot be called without context")) ||
                line.contains(QLatin1String("lacks Q_OBJECT macro")) ||
                line.contains(QLatin1String("Qualifying with unknown")))
                bad << line.trimmed();
        }
        QVERIFY2(bad.isEmpty(), qPrintable(bad.join(QLatin1Char('\n'))));
    }

    void complete_data()
    {
        QTest::addColumn<QString>("ts");
        for (const QString& ts : std::as_const(m_tsFiles))
            QTest::newRow(qPrintable(QFileInfo(ts).fileName())) << ts;
    }

    void complete()
    {
        QFETCH(QString, ts);
        QString error;
        const QList<Message> messages = readTs(ts, &error);
        QVERIFY2(error.isEmpty(), qPrintable(error));
        QVERIFY(!messages.isEmpty());
        QStringList report;
        for (const Message& m : messages) {
            for (const QString& problem : problemsOf(m))
                report << QStringLiteral("  [%1] \"%2\": %3").arg(m.context, m.source, problem);
        }
        if (!report.isEmpty()) {
            report.prepend(QStringLiteral("%1 problem(s) in %2; run scripts/update-translations and translate "
                                          "(translations/README.md):")
                               .arg(report.size())
                               .arg(QFileInfo(ts).fileName()));
        }
        QVERIFY2(report.isEmpty(), qPrintable(report.join(QLatin1Char('\n'))));
    }
};

QTEST_GUILESS_MAIN(TestTranslationsComplete)
#include "tst_translations_complete.moc"
