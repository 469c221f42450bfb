#include "model/WebhookValidator.h"

#include <QTest>

using namespace outhook;

// Every rule of WebhookValidator, one _data() row per input: the GUI, CLI and API all depend on it.
class TestValidation : public QObject
{
    Q_OBJECT

private:
    static Webhook validWebhook()
    {
        Webhook w;
        w.name = QStringLiteral("Billing sync");
        w.url = QStringLiteral("https://hooks.example.com/outhook");
        w.events = {QStringLiteral("invoice.paid")};
        return w;
    }
    static WebhookValidator validator()
    {
        return WebhookValidator(
            [](const QString& t) { return t == QLatin1String("invoice.paid") || t == QLatin1String("job.created"); });
    }
    static QStringList fieldsOf(const FieldErrors& errors)
    {
        QStringList out;
        for (const FieldError& e : errors)
            out << e.field;
        return out;
    }

private Q_SLOTS:
    void url_data()
    {
        QTest::addColumn<QString>("url");
        QTest::addColumn<QString>("error"); // a fragment of the expected message; empty = valid
        QTest::newRow("https") << "https://example.com/hook"
                               << "";
        QTest::newRow("https with port and query") << "https://example.com:8443/a/b?x=1&y=2"
                                                   << "";
        QTest::newRow("IPv6 literal") << "https://[2001:db8::1]/hook"
                                      << "";
        QTest::newRow("IDN single script") << QStringLiteral("https://bücher.example/hook") << "";
        QTest::newRow("http") << "http://example.com/hook"
                              << "HTTPS is required";
        QTest::newRow("HTTP upper case") << "HTTP://example.com/hook"
                                         << "HTTPS is required";
        QTest::newRow("ftp") << "ftp://example.com/file"
                             << "HTTPS is required";
        QTest::newRow("javascript") << "javascript:alert(1)"
                                    << "HTTPS is required";
        QTest::newRow("empty") << ""
                               << "required";
        QTest::newRow("blank") << "   "
                               << "required";
        QTest::newRow("relative") << "/hooks/1"
                                  << "absolute";
        QTest::newRow("no scheme") << "example.com/hook"
                                   << "absolute";
        QTest::newRow("no host") << "https:///path"
                                 << "host";
        QTest::newRow("userinfo") << "https://user:pw@example.com/"
                                  << "user name or password";
        QTest::newRow("user only") << "https://user@example.com/"
                                   << "user name or password";
        QTest::newRow("space") << "https://exa mple.com/"
                               << "spaces";
        QTest::newRow("newline") << "https://example.com/\nx"
                                 << "spaces";
        QTest::newRow("fragment") << "https://example.com/#frag"
                                  << "fragment";
        QTest::newRow("10 KB") << QStringLiteral("https://example.com/") + QString(10240, QLatin1Char('a'))
                               << "at most 2048";
        QTest::newRow("homograph") << QStringLiteral("https://p\u0430ypal.com/") << "scripts";
        QTest::newRow("bad port") << "https://example.com:99999/"
                                  << "not valid";
    }
    void url()
    {
        QFETCH(QString, url);
        QFETCH(QString, error);
        const QString got = WebhookValidator::checkUrl(url);
        if (error.isEmpty())
            QVERIFY2(got.isEmpty(), qPrintable(got));
        else
            QVERIFY2(got.contains(error), qPrintable(QStringLiteral("got: ") + got));
    }

    void headerName_data()
    {
        QTest::addColumn<QString>("name");
        QTest::addColumn<int>("auth");
        QTest::addColumn<bool>("valid");
        QTest::newRow("plain") << "X-Api-Key" << int(AuthConfig::Type::None) << true;
        QTest::newRow("token chars") << "X-A!#$%&'*+-.^_`|~9" << int(AuthConfig::Type::None) << true;
        QTest::newRow("authorization, no auth") << "Authorization" << int(AuthConfig::Type::None) << true;
        QTest::newRow("authorization, basic") << "Authorization" << int(AuthConfig::Type::Basic) << false;
        QTest::newRow("authorization, bearer") << "authorization" << int(AuthConfig::Type::Bearer) << false;
        QTest::newRow("empty") << "" << int(AuthConfig::Type::None) << false;
        QTest::newRow("space") << "X Key" << int(AuthConfig::Type::None) << false;
        QTest::newRow("colon") << "X:Key" << int(AuthConfig::Type::None) << false;
        QTest::newRow("CR") << "X-Key\r" << int(AuthConfig::Type::None) << false;
        QTest::newRow("LF") << "X-Key\nEvil: 1" << int(AuthConfig::Type::None) << false;
        QTest::newRow("NUL") << QStringLiteral("X-Key") + QChar(0) << int(AuthConfig::Type::None) << false;
        QTest::newRow("non-ASCII") << QStringLiteral("X-Schl\u00fcssel") << int(AuthConfig::Type::None) << false;
        QTest::newRow("host") << "Host" << int(AuthConfig::Type::None) << false;
        QTest::newRow("content-length") << "Content-Length" << int(AuthConfig::Type::None) << false;
        QTest::newRow("content-type") << "content-type" << int(AuthConfig::Type::None) << false;
        QTest::newRow("webhook-id") << "Webhook-Id" << int(AuthConfig::Type::None) << false;
        QTest::newRow("webhook-timestamp") << "webhook-timestamp" << int(AuthConfig::Type::None) << false;
        QTest::newRow("webhook-signature") << "WEBHOOK-SIGNATURE" << int(AuthConfig::Type::None) << false;
        QTest::newRow("too long") << QString(300, QLatin1Char('x')) << int(AuthConfig::Type::None) << false;
    }
    void headerName()
    {
        QFETCH(QString, name);
        QFETCH(int, auth);
        QFETCH(bool, valid);
        const QString got = WebhookValidator::checkHeaderName(name, AuthConfig::Type(auth));
        QCOMPARE(got.isEmpty(), valid);
    }

    void headerValue_data()
    {
        QTest::addColumn<QString>("value");
        QTest::addColumn<bool>("valid");
        QTest::newRow("plain") << "abc 123" << true;
        QTest::newRow("tab") << "a\tb" << true;
        QTest::newRow("empty") << "" << true;
        QTest::newRow("unicode") << QStringLiteral("caf\u00e9") << true;
        QTest::newRow("CR") << "a\rb" << false;
        QTest::newRow("LF") << "a\nb" << false;
        QTest::newRow("CRLF injection") << "x\r\nX-Evil: 1" << false;
        QTest::newRow("NUL") << QStringLiteral("a") + QChar(0) << false;
        QTest::newRow("bell") << "a\ab" << false;
        QTest::newRow("9 KB") << QString(9000, QLatin1Char('v')) << false;
    }
    void headerValue()
    {
        QFETCH(QString, value);
        QFETCH(bool, valid);
        QCOMPARE(WebhookValidator::checkHeaderValue(value).isEmpty(), valid);
    }

    void name_data()
    {
        QTest::addColumn<QString>("name");
        QTest::addColumn<bool>("valid");
        QTest::newRow("plain") << "Billing" << true;
        QTest::newRow("200 chars") << QString(200, QLatin1Char('n')) << true;
        QTest::newRow("SQL metacharacters") << "x'); DROP TABLE webhooks;--" << true;
        QTest::newRow("empty") << "" << false;
        QTest::newRow("blank") << "   " << false;
        QTest::newRow("201 chars") << QString(201, QLatin1Char('n')) << false;
        QTest::newRow("10 KB") << QString(10240, QLatin1Char('n')) << false;
        QTest::newRow("newline") << "a\nb" << false;
    }
    void name()
    {
        QFETCH(QString, name);
        QFETCH(bool, valid);
        QCOMPARE(WebhookValidator::checkName(name).isEmpty(), valid);
    }

    void wholeWebhook_data()
    {
        QTest::addColumn<int>("mutation");
        QTest::addColumn<QStringList>("fields");
        QTest::newRow("valid") << 0 << QStringList();
        QTest::newRow("no events") << 1 << QStringList{QStringLiteral("events")};
        QTest::newRow("unknown event") << 2 << QStringList{QStringLiteral("events[1]")};
        QTest::newRow("basic without password") << 3 << QStringList{QStringLiteral("auth.password")};
        QTest::newRow("basic user with colon") << 4 << QStringList{QStringLiteral("auth.username")};
        QTest::newRow("bearer without token") << 5 << QStringList{QStringLiteral("auth.token")};
        QTest::newRow("duplicate header") << 6 << QStringList{QStringLiteral("headers[1].name")};
        QTest::newRow("reserved + bad value")
            << 7 << QStringList{QStringLiteral("headers[0].name"), QStringLiteral("headers[0].value")};
        QTest::newRow("zero timeout") << 8 << QStringList{QStringLiteral("timeout_seconds")};
        QTest::newRow("absurd timeout") << 9 << QStringList{QStringLiteral("timeout_seconds")};
        QTest::newRow("too many retries") << 10 << QStringList{QStringLiteral("retry_schedule")};
        QTest::newRow("zero delay") << 11 << QStringList{QStringLiteral("retry_schedule")};
        QTest::newRow("everything wrong")
            << 12 << QStringList{QStringLiteral("name"), QStringLiteral("url"), QStringLiteral("events")};
    }
    void wholeWebhook()
    {
        QFETCH(int, mutation);
        QFETCH(QStringList, fields);
        Webhook w = validWebhook();
        switch (mutation) {
        case 1:
            w.events.clear();
            break;
        case 2:
            w.events << QStringLiteral("nope.never");
            break;
        case 3:
            w.auth = {AuthConfig::Type::Basic, QStringLiteral("u"), {}, {}};
            break;
        case 4:
            w.auth = {AuthConfig::Type::Basic, QStringLiteral("u:x"), QStringLiteral("p"), {}};
            break;
        case 5:
            w.auth = {AuthConfig::Type::Bearer, {}, {}, {}};
            break;
        case 6:
            w.headers = {{QStringLiteral("X-A"), QStringLiteral("1")}, {QStringLiteral("x-a"), QStringLiteral("2")}};
            break;
        case 7:
            w.headers = {{QStringLiteral("Host"), QStringLiteral("a\r\nb")}};
            break;
        case 8:
            w.timeoutSeconds = 0;
            break;
        case 9:
            w.timeoutSeconds = 100000;
            break;
        case 10:
            w.retrySchedule = RetrySchedule(QList<qint64>(21, 60));
            break;
        case 11:
            w.retrySchedule = RetrySchedule({0});
            break;
        case 12:
            w.name.clear();
            w.url = QStringLiteral("http://x");
            w.events.clear();
            break;
        default:
            break;
        }
        QCOMPARE(fieldsOf(validator().validate(w)), fields);
    }
};

QTEST_GUILESS_MAIN(TestValidation)
#include "tst_validation.moc"
