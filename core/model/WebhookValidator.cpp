#include "model/WebhookValidator.h"

#include <QCoreApplication>
#include <QHostAddress>
#include <QSet>
#include <QUrl>

namespace outhook {

namespace {

bool hasControlChars(const QString& s, bool allowTab)
{
    for (QChar c : s) {
        const char16_t u = c.unicode();
        if (u == '\t' && allowTab)
            continue;
        if (u < 0x20 || u == 0x7f || (u >= 0x80 && u < 0xa0))
            return true;
    }
    return false;
}

// A label that mixes letters from several scripts ("pаypal" with a Cyrillic а) is a classic look-alike.
bool mixesScripts(const QString& host)
{
    const QStringList labels = host.split(QLatin1Char('.'));
    for (const QString& label : labels) {
        QSet<int> scripts;
        for (QChar c : label) {
            const QChar::Script s = c.script();
            if (s == QChar::Script_Common || s == QChar::Script_Inherited || s == QChar::Script_Unknown)
                continue;
            scripts.insert(int(s));
        }
        if (scripts.size() > 1)
            return true;
    }
    return false;
}

bool isHopByHopHeader(const QString& name)
{
    static const QSet<QString> hop{QStringLiteral("content-encoding"), QStringLiteral("expect"),
                                   QStringLiteral("keep-alive"),       QStringLiteral("proxy-authorization"),
                                   QStringLiteral("proxy-connection"), QStringLiteral("te"),
                                   QStringLiteral("trailer"),          QStringLiteral("upgrade")};
    return hop.contains(name.trimmed().toLower());
}

} // namespace

QString WebhookValidator::checkName(const QString& name)
{
    const QString t = name.trimmed();
    if (t.isEmpty())
        return tr("Name is required");
    if (t.size() > Webhook::kMaxNameLength)
        return tr("Name must be at most %1 characters").arg(Webhook::kMaxNameLength);
    if (hasControlChars(t, false))
        return tr("Name must not contain control characters");
    return {};
}

QString WebhookValidator::checkUrl(const QString& url)
{
    if (url.trimmed().isEmpty())
        return tr("URL is required");
    if (url.size() > kMaxUrlLength)
        return tr("URL must be at most %1 characters").arg(kMaxUrlLength);
    for (QChar c : url) {
        if (c.isSpace() || hasControlChars(QString(c), false))
            return tr("URL must not contain spaces or control characters");
    }
    const QUrl u(url, QUrl::StrictMode);
    if (u.scheme().isEmpty() || u.isRelative())
        return tr("URL must be absolute, like https://example.com/webhooks");
    if (u.scheme().compare(QLatin1String("https"), Qt::CaseInsensitive) != 0)
        return tr("HTTPS is required");
    if (!u.isValid())
        return tr("URL is not valid: %1").arg(u.errorString());
    if (u.host().isEmpty())
        return tr("URL must include a host");
    if (!u.userInfo().isEmpty())
        return tr("URL must not contain a user name or password; use Basic auth instead");
    if (u.hasFragment())
        return tr("URL must not contain a #fragment; it is never sent");
    const QString host = u.host(QUrl::FullyDecoded);
    if (mixesScripts(host))
        return tr("Host name mixes letters from different scripts, which can imitate another domain");
    if (QHostAddress(host).isNull() && QUrl::toAce(host).isEmpty())
        return tr("Host name is not valid");
    return {};
}

bool WebhookValidator::isReservedHeader(const QString& name, AuthConfig::Type authType)
{
    static const QSet<QString> reserved{QStringLiteral("host"),
                                        QStringLiteral("content-length"),
                                        QStringLiteral("content-type"),
                                        QStringLiteral("webhook-id"),
                                        QStringLiteral("webhook-timestamp"),
                                        QStringLiteral("webhook-signature"),
                                        QStringLiteral("transfer-encoding"),
                                        QStringLiteral("connection")};
    const QString lower = name.trimmed().toLower();
    // Hop-by-hop and framing headers too: sent by hand they change how the request travels.
    if (reserved.contains(lower) || isHopByHopHeader(lower))
        return true;
    return lower == QLatin1String("authorization") && authType != AuthConfig::Type::None;
}

QString WebhookValidator::checkHeaderName(const QString& name, AuthConfig::Type authType)
{
    if (name.isEmpty())
        return tr("Header name is required");
    if (name.size() > kMaxHeaderNameLength)
        return tr("Header name must be at most %1 characters").arg(kMaxHeaderNameLength);
    if (!headers::isToken(name))
        return tr("Header name may contain only letters, digits and !#$%&'*+-.^_`|~");
    if (isReservedHeader(name, authType)) {
        if (name.compare(QLatin1String("authorization"), Qt::CaseInsensitive) == 0)
            return tr("Header \"authorization\" is set by the chosen auth; choose auth None to set it yourself");
        if (isHopByHopHeader(name))
            return tr("Header \"%1\" controls how the request is framed or relayed and cannot be set")
                .arg(name.toLower());
        return tr("Header \"%1\" is set by Outhook and cannot be changed").arg(name.toLower());
    }
    return {};
}

QString WebhookValidator::checkHeaderValue(const QString& value)
{
    if (value.contains(QLatin1Char('\r')) || value.contains(QLatin1Char('\n')) || value.contains(QChar(0)))
        return tr("Header value must not contain CR, LF or NUL characters");
    if (hasControlChars(value, true))
        return tr("Header value must not contain control characters");
    if (value.size() > kMaxHeaderValueLength)
        return tr("Header value must be at most %1 characters").arg(kMaxHeaderValueLength);
    return {};
}

QString WebhookValidator::checkTimeout(int seconds)
{
    if (seconds < 1 || seconds > kMaxTimeoutSeconds)
        return tr("Timeout must be between 1 and %1 seconds").arg(kMaxTimeoutSeconds);
    return {};
}

QString WebhookValidator::checkRetrySchedule(const RetrySchedule& schedule)
{
    if (schedule.retryCount() > kMaxRetries)
        return tr("At most %1 retries are allowed").arg(kMaxRetries);
    for (qint64 d : schedule.delaysSeconds()) {
        if (d < 1 || d > kMaxRetryDelaySeconds)
            return tr("Each retry delay must be between 1 second and 7 days");
    }
    return {};
}

FieldErrors WebhookValidator::checkAuth(const AuthConfig& auth)
{
    FieldErrors errors;
    auto bad = [](const QString& s) { return hasControlChars(s, false); };
    switch (auth.type) {
    case AuthConfig::Type::None:
        break;
    case AuthConfig::Type::Basic:
        if (auth.username.isEmpty())
            errors.append({QStringLiteral("auth.username"), tr("User name is required for Basic auth")});
        else if (auth.username.contains(QLatin1Char(':')) || bad(auth.username))
            errors.append(
                {QStringLiteral("auth.username"), tr("User name must not contain \":\" or control characters")});
        else if (auth.username.size() > 256)
            errors.append({QStringLiteral("auth.username"), tr("User name must be at most 256 characters")});
        if (auth.password.isEmpty())
            errors.append({QStringLiteral("auth.password"), tr("Password is required for Basic auth")});
        else if (bad(auth.password))
            errors.append({QStringLiteral("auth.password"), tr("Password must not contain control characters")});
        else if (auth.password.size() > 1024)
            errors.append({QStringLiteral("auth.password"), tr("Password must be at most 1024 characters")});
        break;
    case AuthConfig::Type::Bearer:
        if (auth.token.isEmpty())
            errors.append({QStringLiteral("auth.token"), tr("Token is required for Bearer auth")});
        else if (bad(auth.token) || auth.token.contains(QLatin1Char(' ')))
            errors.append({QStringLiteral("auth.token"), tr("Token must not contain spaces or control characters")});
        else if (auth.token.size() > 4096)
            errors.append({QStringLiteral("auth.token"), tr("Token must be at most 4096 characters")});
        break;
    }
    return errors;
}

FieldErrors WebhookValidator::checkEvents(const QStringList& events) const
{
    FieldErrors errors;
    if (events.isEmpty()) {
        errors.append({QStringLiteral("events"), tr("Choose at least one event type")});
        return errors;
    }
    for (qsizetype i = 0; i < events.size(); ++i) {
        if (!m_isKnown || !m_isKnown(events.at(i)))
            errors.append({QStringLiteral("events[%1]").arg(i), tr("Unknown event type \"%1\"").arg(events.at(i))});
    }
    return errors;
}

FieldErrors WebhookValidator::validate(const Webhook& w) const
{
    FieldErrors errors;
    auto add = [&errors](const QString& field, const QString& message) {
        if (!message.isEmpty())
            errors.append({field, message});
    };
    add(QStringLiteral("name"), checkName(w.name));
    add(QStringLiteral("url"), checkUrl(w.url));
    errors += checkEvents(w.events);
    errors += checkAuth(w.auth);
    if (w.headers.size() > kMaxHeaders)
        add(QStringLiteral("headers"), tr("At most %1 custom headers are allowed").arg(kMaxHeaders));
    QSet<QString> seen;
    for (qsizetype i = 0; i < w.headers.size(); ++i) {
        const Header& h = w.headers.at(i);
        const QString prefix = QStringLiteral("headers[%1].").arg(i);
        QString nameError = checkHeaderName(h.name, w.auth.type);
        if (nameError.isEmpty() && seen.contains(h.name.toLower()))
            nameError = tr("Header \"%1\" is set twice").arg(h.name);
        seen.insert(h.name.toLower());
        add(prefix + QStringLiteral("name"), nameError);
        add(prefix + QStringLiteral("value"), checkHeaderValue(h.value));
    }
    add(QStringLiteral("retry_schedule"), checkRetrySchedule(w.retrySchedule));
    add(QStringLiteral("timeout_seconds"), checkTimeout(w.timeoutSeconds));
    return errors;
}

} // namespace outhook
