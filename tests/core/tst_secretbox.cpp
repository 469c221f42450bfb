#include "security/MasterKey.h"
#include "security/SecretBox.h"

#include <QFile>
#include <QFileInfo>
#include <QSet>
#include <QTemporaryDir>
#include <QTest>

#include <sys/stat.h>

using namespace outhook::security;

// AES-256-GCM sealing of stored secrets and the master key formats and sources.
class TestSecretBox : public QObject
{
    Q_OBJECT
    QTemporaryDir m_dir;

    static QByteArray key(char fill) { return QByteArray(SecretBox::kKeySize, fill); }
    static QByteArray envelope(const QString& sealed)
    {
        return QByteArray::fromBase64(sealed.mid(SecretBox::prefix().size()).toLatin1());
    }
    static QString reseal(const QByteArray& bytes)
    {
        return SecretBox::prefix() + QString::fromLatin1(bytes.toBase64());
    }

private Q_SLOTS:
    void init()
    {
        qunsetenv("OUTHOOK_MASTER_KEY");
        qunsetenv("OUTHOOK_MASTER_KEY_FILE");
    }

    void roundTrip_data()
    {
        QTest::addColumn<QString>("plain");
        QTest::newRow("signing secret") << QStringLiteral("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw");
        QTest::newRow("unicode") << QStringLiteral("pässwörd ✓ 密码");
        QTest::newRow("one char") << QStringLiteral("x");
        QTest::newRow("long") << QString(5000, QLatin1Char('k'));
    }
    void roundTrip()
    {
        QFETCH(QString, plain);
        const SecretBox box(key('a'));
        const QString sealed = box.seal(plain, QStringLiteral("webhooks.secret"));
        QVERIFY(sealed.startsWith(QLatin1String("enc:v1:")));
        QVERIFY(SecretBox::isSealed(sealed));
        if (plain.size() >= 8) // a one-letter secret may well occur in base64 by chance
            QVERIFY(!sealed.contains(plain));
        QCOMPARE(envelope(sealed).size(),
                 SecretBox::kNonceSize + plain.toUtf8().size() + SecretBox::kTagSize); // nonce | ct | tag
        const auto opened = box.open(sealed, QStringLiteral("webhooks.secret"));
        QVERIFY2(opened.ok(), qPrintable(opened.error().message));
        QCOMPARE(*opened, plain);
    }

    void emptyStaysEmptyAndPlaintextPassesThrough()
    {
        const SecretBox box(key('a'));
        QCOMPARE(box.seal(QString(), QStringLiteral("c")), QString());
        QVERIFY(!box.seal(QString(), QStringLiteral("c")).isNull()); // binds as '' (NOT NULL columns), not NULL
        QCOMPARE(*box.open(QStringLiteral("legacy plaintext"), QStringLiteral("c")),
                 QStringLiteral("legacy plaintext"));
    }

    void tamperingIsDetected_data()
    {
        QTest::addColumn<int>("offset"); // byte of the envelope to flip; negative counts from the end
        QTest::newRow("nonce") << 0;
        QTest::newRow("ciphertext") << SecretBox::kNonceSize + 2;
        QTest::newRow("tag") << -1;
    }
    void tamperingIsDetected()
    {
        QFETCH(int, offset);
        const SecretBox box(key('a'));
        QByteArray bytes = envelope(box.seal(QStringLiteral("hunter2-token"), QStringLiteral("c")));
        const int at = offset < 0 ? int(bytes.size()) + offset : offset;
        bytes[at] = char(bytes[at] ^ 0x01);
        const auto opened = box.open(reseal(bytes), QStringLiteral("c"));
        QVERIFY(!opened.ok());
        QVERIFY2(opened.error().message.contains(QLatin1String("does not decrypt")),
                 qPrintable(opened.error().message));
    }

    void truncatedOrGarbageEnvelopeIsAnError()
    {
        const SecretBox box(key('a'));
        for (const QString& bad :
             {QStringLiteral("enc:v1:"), QStringLiteral("enc:v1:AAAA"), QStringLiteral("enc:v1:!!not base64!!")}) {
            const auto opened = box.open(bad, QStringLiteral("webhooks.auth_secret"));
            QVERIFY2(!opened.ok(), qPrintable(bad));
            QVERIFY(opened.error().message.contains(QLatin1String("webhooks.auth_secret")));
        }
    }

    void wrongKeyOrContextIsAnError()
    {
        const SecretBox a(key('a'));
        const SecretBox b(key('b'));
        const QString sealed = a.seal(QStringLiteral("p4ssw0rd"), QStringLiteral("webhooks.auth_secret"));
        QVERIFY(!b.open(sealed, QStringLiteral("webhooks.auth_secret")).ok());
        // A value moved into another column does not open there either.
        QVERIFY(!a.open(sealed, QStringLiteral("webhooks.secret")).ok());
        QVERIFY(a.keyId() != b.keyId());
        QCOMPARE(a.keyId().size(), 16);
        QCOMPARE(a.keyId(), SecretBox::keyIdOf(key('a')));
    }

    void noncesAreFresh()
    {
        const SecretBox box(key('a'));
        QSet<QByteArray> nonces;
        QSet<QString> sealed;
        for (int i = 0; i < 2000; ++i) {
            const QString s = box.seal(QStringLiteral("same text"), QStringLiteral("c"));
            sealed.insert(s);
            nonces.insert(envelope(s).left(SecretBox::kNonceSize));
        }
        QCOMPARE(nonces.size(), 2000);
        QCOMPARE(sealed.size(), 2000);
    }

    void keyTextFormat_data()
    {
        QTest::addColumn<QByteArray>("text");
        QTest::addColumn<bool>("valid");
        QTest::addColumn<QString>("mentions");
        QTest::newRow("32 bytes") << QByteArray(32, 'k').toBase64() << true << QString();
        QTest::newRow("with newline") << QByteArray(QByteArray(32, 'k').toBase64() + "\n") << true << QString();
        QTest::newRow("empty") << QByteArray("  ") << false << QStringLiteral("is empty");
        QTest::newRow("not base64") << QByteArray("this is not base64!") << false << QStringLiteral("not base64");
        QTest::newRow("16 bytes") << QByteArray(16, 'k').toBase64() << false << QStringLiteral("16 bytes");
        QTest::newRow("hex instead") << QByteArray(32, 'k').toHex() << false << QStringLiteral("48 bytes");
    }
    void keyTextFormat()
    {
        QFETCH(QByteArray, text);
        QFETCH(bool, valid);
        QFETCH(QString, mentions);
        const auto key = parseKeyText(text, QStringLiteral("OUTHOOK_MASTER_KEY"));
        QCOMPARE(key.ok(), valid);
        if (valid) {
            QCOMPARE(*key, QByteArray(32, 'k'));
            return;
        }
        QVERIFY2(key.error().message.contains(mentions), qPrintable(key.error().message));
        QVERIFY(key.error().message.contains(QLatin1String("OUTHOOK_MASTER_KEY")));
        QVERIFY(key.error().message.contains(QLatin1String("openssl rand -base64 32")));
        if (text.trimmed().size() > 4)
            QVERIFY(!key.error().message.contains(QString::fromLatin1(text.trimmed()))); // never echoes the key
    }

    void malformedEnvironmentKeyIsAnErrorNotAFallback()
    {
        qputenv("OUTHOOK_MASTER_KEY", "too-short");
        KeySources sources;
        sources.defaultKeyFile = m_dir.filePath(QStringLiteral("env.db.key"));
        const auto lookup = locateKey(sources);
        QVERIFY(!lookup.ok());
        QVERIFY(lookup.error().message.contains(QLatin1String("OUTHOOK_MASTER_KEY")));
        QVERIFY(!QFileInfo::exists(sources.defaultKeyFile));

        qputenv("OUTHOOK_MASTER_KEY", QByteArray(32, 'e').toBase64());
        const auto good = locateKey(sources);
        QVERIFY(good.ok());
        QCOMPARE(good->key->bytes, QByteArray(32, 'e'));
        QCOMPARE(good->key->source, QStringLiteral("OUTHOOK_MASTER_KEY"));
    }

    void sourcesInOrder()
    {
        const QString named = m_dir.filePath(QStringLiteral("named.key"));
        const QString fallback = m_dir.filePath(QStringLiteral("default.key"));
        QVERIFY(createKeyFile(named).ok());
        QVERIFY(createKeyFile(fallback).ok());
        KeySources sources;
        sources.keyFile = named;
        sources.defaultKeyFile = fallback;
        qputenv("OUTHOOK_MASTER_KEY", QByteArray(32, 'e').toBase64());
        QCOMPARE(locateKey(sources)->key->bytes, readKeyFile(named)->bytes); // the flag beats the environment
        sources.keyFile.clear();
        QCOMPARE(locateKey(sources)->key->bytes, QByteArray(32, 'e'));
        qunsetenv("OUTHOOK_MASTER_KEY");
        qputenv("OUTHOOK_MASTER_KEY_FILE", QFile::encodeName(named));
        QCOMPARE(locateKey(sources)->key->bytes, readKeyFile(named)->bytes);
        qunsetenv("OUTHOOK_MASTER_KEY_FILE");
        QCOMPARE(locateKey(sources)->key->bytes, readKeyFile(fallback)->bytes);
        sources.explicitKey = QByteArray(32, 'x');
        QCOMPARE(locateKey(sources)->key->bytes, QByteArray(32, 'x'));

        // Nothing there yet: the lookup says where a new key goes, and a named file wins over the default.
        KeySources empty;
        empty.defaultKeyFile = m_dir.filePath(QStringLiteral("none/default.key"));
        QVERIFY(!locateKey(empty)->key);
        QCOMPARE(locateKey(empty)->createAt, empty.defaultKeyFile);
        empty.keyFile = m_dir.filePath(QStringLiteral("none/named.key"));
        QCOMPARE(locateKey(empty)->createAt, empty.keyFile);
    }

    void keyFileIsOwnerOnly()
    {
        const QString path = m_dir.filePath(QStringLiteral("sub/dir/outhook.db.key"));
        const auto created = createKeyFile(path);
        QVERIFY2(created.ok(), qPrintable(created.error().message));
        QCOMPARE(created->bytes.size(), SecretBox::kKeySize);
        struct stat st;
        QCOMPARE(::stat(QFile::encodeName(path).constData(), &st), 0);
        QCOMPARE(st.st_mode & 0777, mode_t(0600));
        QCOMPARE(readKeyFile(path)->bytes, created->bytes);
        // A second creator (another engine starting at the same moment) gets the same key, not a new one.
        QCOMPARE(createKeyFile(path)->bytes, created->bytes);

        QFile::setPermissions(path, QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ReadOther);
        const auto exposed = readKeyFile(path);
        QVERIFY(!exposed.ok());
        QVERIFY2(exposed.error().message.contains(QLatin1String("chmod 600")), qPrintable(exposed.error().message));
    }
};

QTEST_GUILESS_MAIN(TestSecretBox)
#include "tst_secretbox.moc"
