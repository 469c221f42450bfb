#include "signing/Secret.h"
#include "signing/Signer.h"
#include "util/Ids.h"

#include <QRegularExpression>
#include <QSet>
#include <QTest>
#include <QThread>

#include <memory>

using namespace outhook;
using namespace outhook::signing;

// Standard Webhooks signing against the specification's published test vector, plus the verifier's
// rejection paths.
class TestSigning : public QObject
{
    Q_OBJECT
    const QString kSecret = QStringLiteral("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw");
    const QByteArray kMsgId = "msg_p5jXN8AQM9LWM0D4loKWxJek";
    const qint64 kTimestamp = 1614265330;
    const QByteArray kBody = R"({"test": 2432232314})";
    const QByteArray kExpected = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";

private Q_SLOTS:
    void specVector() { QCOMPARE(sign(kMsgId, kTimestamp, kBody, {kSecret}), kExpected); }

    void oneSignaturePerSecret()
    {
        const QString other = generateSecret();
        const QByteArray header = sign(kMsgId, kTimestamp, kBody, {kSecret, other});
        const QList<QByteArray> parts = header.split(' ');
        QCOMPARE(parts.size(), 2);
        QCOMPARE(parts.first(), kExpected);
        QVERIFY(parts.last().startsWith("v1,"));
        QCOMPARE(verify(other, kMsgId, QByteArray::number(kTimestamp), kBody, header, kTimestamp), VerifyResult::Ok);
    }

    void verifies_data()
    {
        QTest::addColumn<QString>("secret");
        QTest::addColumn<QByteArray>("msgId");
        QTest::addColumn<QByteArray>("timestamp");
        QTest::addColumn<QByteArray>("body");
        QTest::addColumn<QByteArray>("signature");
        QTest::addColumn<qint64>("now");
        QTest::addColumn<int>("result");
        const QString s = kSecret;
        const QByteArray ts = QByteArray::number(kTimestamp);
        QTest::newRow("valid") << s << kMsgId << ts << kBody << kExpected << kTimestamp << int(VerifyResult::Ok);
        QTest::newRow("valid among others") << s << kMsgId << ts << kBody << QByteArray("v1,Zm9v v2,abc " + kExpected)
                                            << kTimestamp << int(VerifyResult::Ok);
        QTest::newRow("within tolerance")
            << s << kMsgId << ts << kBody << kExpected << kTimestamp + 299 << int(VerifyResult::Ok);
        QTest::newRow("too old") << s << kMsgId << ts << kBody << kExpected << kTimestamp + 301
                                 << int(VerifyResult::TimestampOutOfTolerance);
        QTest::newRow("from the future") << s << kMsgId << ts << kBody << kExpected << kTimestamp - 301
                                         << int(VerifyResult::TimestampOutOfTolerance);
        QTest::newRow("tampered body") << s << kMsgId << ts << QByteArray(R"({"test": 2432232315})") << kExpected
                                       << kTimestamp << int(VerifyResult::NoMatchingSignature);
        QTest::newRow("other id") << s << QByteArray("msg_other") << ts << kBody << kExpected << kTimestamp
                                  << int(VerifyResult::NoMatchingSignature);
        QTest::newRow("wrong secret") << generateSecret() << kMsgId << ts << kBody << kExpected << kTimestamp
                                      << int(VerifyResult::NoMatchingSignature);
        QTest::newRow("v2 only") << s << kMsgId << ts << kBody << QByteArray("v2,") + kExpected.mid(3) << kTimestamp
                                 << int(VerifyResult::NoMatchingSignature);
        QTest::newRow("missing signature")
            << s << kMsgId << ts << kBody << QByteArray() << kTimestamp << int(VerifyResult::MissingHeader);
        QTest::newRow("bad timestamp") << s << kMsgId << QByteArray("yesterday") << kBody << kExpected << kTimestamp
                                       << int(VerifyResult::TimestampOutOfTolerance);
        QTest::newRow("bad secret") << QStringLiteral("whsec_!!!") << kMsgId << ts << kBody << kExpected << kTimestamp
                                    << int(VerifyResult::InvalidSecret);
    }
    void verifies()
    {
        QFETCH(QString, secret);
        QFETCH(QByteArray, msgId);
        QFETCH(QByteArray, timestamp);
        QFETCH(QByteArray, body);
        QFETCH(QByteArray, signature);
        QFETCH(qint64, now);
        QFETCH(int, result);
        QCOMPARE(int(verify(secret, msgId, timestamp, body, signature, now)), result);
    }

    void constantTimeCompare()
    {
        QVERIFY(constantTimeEquals("abc", "abc"));
        QVERIFY(!constantTimeEquals("abc", "abd"));
        QVERIFY(!constantTimeEquals("abc", "abcd"));
    }

    // Ids come from a per-thread pool of random bytes: across its refills and across threads, none repeats.
    void identifiersNeverRepeat()
    {
        const QRegularExpression messageId(QStringLiteral("^msg_[A-Za-z0-9_-]{24}$"));
        const QRegularExpression requestId(QStringLiteral("^req_[A-Za-z0-9_-]{12}$"));
        QSet<QByteArray> seen;
        const auto generate = [&messageId, &requestId](QSet<QByteArray>& into) {
            for (int i = 0; i < 2000; ++i) { // 54 KB of pool: a dozen refills
                const QByteArray m = ids::newMessageId();
                const QByteArray r = ids::newRequestId();
                QVERIFY2(messageId.match(QString::fromLatin1(m)).hasMatch(), m.constData());
                QVERIFY2(requestId.match(QString::fromLatin1(r)).hasMatch(), r.constData());
                into << m << r;
            }
        };
        generate(seen);
        QCOMPARE(seen.size(), 4000);
        QSet<QByteArray> other;
        std::unique_ptr<QThread> thread(QThread::create([&] { generate(other); }));
        thread->start();
        QVERIFY(thread->wait(30000));
        QCOMPARE(other.size(), 4000);
        QVERIFY(!seen.intersects(other));
    }
};

QTEST_GUILESS_MAIN(TestSigning)
#include "tst_signing.moc"
