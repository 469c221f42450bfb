#include "api/WebhookInput.h"

#include "model/WebhookValidator.h"

#include <QCoreApplication>
#include <QJsonArray>
#include <QJsonDocument>
#include <QRegularExpression>
#include <QSet>
#include <QUrl>

#include <cstring>

namespace outhook::api {

namespace {

QString tr(const char* text)
{
    return QCoreApplication::translate("WebhookInput", text);
}

const QSet<QString>& knownFields()
{
    static const QSet<QString> fields{QStringLiteral("url"),
                                      QStringLiteral("events"),
                                      QStringLiteral("name"),
                                      QStringLiteral("is_active"),
                                      QStringLiteral("headers"),
                                      QStringLiteral("retry_count"),
                                      QStringLiteral("retry_schedule"),
                                      QStringLiteral("timeout_seconds"),
                                      QStringLiteral("auth")};
    return fields;
}

bool isInteger(const QJsonValue& v)
{
    return v.isDouble() && v.toDouble() == double(v.toInteger()) && std::abs(v.toDouble()) < 1e12;
}

struct Frame
{
    bool isObject = false;
    bool expectKey = false;
    int index = 0;
    QString path;
    QString key; // the key whose value comes next (objects)
    QSet<QString> keys;
};

QString childPath(const Frame& f)
{
    if (!f.isObject)
        return f.path + QStringLiteral("[%1]").arg(f.index);
    return f.path.isEmpty() ? f.key : f.path + QLatin1Char('.') + f.key;
}

QString decodeKey(const QByteArray& raw)
{
    if (!raw.contains('\\'))
        return QString::fromUtf8(raw);
    const QJsonDocument doc = QJsonDocument::fromJson("[\"" + raw + "\"]");
    return doc.array().at(0).toString();
}

struct Capture
{
    QLatin1String key; // a top-level member
    QByteArray* text = nullptr;
    qsizetype start = -1; // of its value, while it is being read
};

// Walks the JSON text once. Stops at the first duplicate key or too-deep nesting, or at byte `stopAt`,
// where *pathAtStop is set to the path of the value being read there.
FieldErrors scanJson(const QByteArray& json, qsizetype stopAt, QString* pathAtStop, Capture capture = {})
{
    QList<Frame> stack;
    // A top-level member's value ends at the ',' or '}' that follows it on the top level.
    const auto captureEnds = [&](qsizetype end) {
        if (capture.start >= 0 && stack.size() == 1) {
            *capture.text = json.mid(capture.start, end - capture.start).trimmed();
            capture.start = -1;
        }
    };
    const qsizetype n = std::min(json.size(), stopAt);
    const auto here = [&stack] { return stack.isEmpty() ? QString() : childPath(stack.last()); };
    for (qsizetype i = 0; i < n; ++i) {
        const char c = json.at(i);
        switch (c) {
        case '{':
        case '[': {
            Frame f;
            f.isObject = c == '{';
            f.expectKey = f.isObject;
            f.path = stack.isEmpty() ? QString() : childPath(stack.last());
            if (stack.size() >= kMaxJsonDepth) {
                // Named by the top-level member it is in: the full path would be 64 levels long.
                const qsizetype cut = f.path.indexOf(QRegularExpression(QStringLiteral("[.\\[]")));
                const QString field = f.path.isEmpty() ? QStringLiteral("body") : f.path.left(cut < 0 ? -1 : cut);
                return {{field, tr("Nested deeper than %1 levels").arg(kMaxJsonDepth)}};
            }
            stack.append(f);
            break;
        }
        case '}':
        case ']':
            captureEnds(i);
            if (!stack.isEmpty())
                stack.removeLast();
            break;
        case ',':
            captureEnds(i);
            if (!stack.isEmpty()) {
                ++stack.last().index;
                stack.last().expectKey = stack.last().isObject;
            }
            break;
        case ':':
            if (!stack.isEmpty())
                stack.last().expectKey = false;
            if (capture.text && stack.size() == 1 && stack.last().key == capture.key)
                capture.start = i + 1;
            break;
        case '"': {
            // To the closing quote: one not preceded by an odd run of backslashes. memchr skips long string
            // values (an event's data) many bytes at a time.
            const qsizetype start = i + 1;
            const char* base = json.constData();
            for (;;) {
                const void* quote = std::memchr(base + i + 1, '"', size_t(n - i - 1));
                if (!quote) {
                    i = n;
                    break;
                }
                i = static_cast<const char*>(quote) - base;
                qsizetype slashes = 0;
                while (i - 1 - slashes >= start && base[i - 1 - slashes] == '\\')
                    ++slashes;
                if (slashes % 2 == 0)
                    break;
            }
            if (!stack.isEmpty() && stack.last().isObject && stack.last().expectKey) {
                Frame& f = stack.last();
                f.key = decodeKey(json.mid(start, i - start));
                if (f.keys.contains(f.key))
                    return {{childPath(f), tr("Key \"%1\" appears twice; send each key once").arg(f.key)}};
                f.keys.insert(f.key);
            }
            break;
        }
        default:
            break;
        }
    }
    if (pathAtStop)
        *pathAtStop = here();
    return {};
}

} // namespace

FieldErrors checkJsonStructure(const QByteArray& json, QLatin1String member, QByteArray* memberText)
{
    return scanJson(json, json.size(), nullptr, {member, memberText});
}

QString jsonPathAt(const QByteArray& json, qsizetype offset)
{
    QString path;
    scanJson(json, std::max<qsizetype>(0, offset), &path);
    return path;
}

RetrySchedule scheduleForRetryCount(int count)
{
    QList<qint64> delays;
    qint64 d = 300;
    for (int i = 0; i < count; ++i) {
        delays << d;
        d = std::min<qint64>(d * 2, 86400);
    }
    return RetrySchedule(delays);
}

FieldErrors applyWebhookJson(const QJsonObject& body, Webhook& w, InputMode mode)
{
    FieldErrors errors;
    auto typeError = [&errors](const QString& field, const QString& expected) {
        errors.append({field, tr("Must be %1").arg(expected)});
    };
    for (auto it = body.begin(); it != body.end(); ++it) {
        if (!knownFields().contains(it.key()))
            errors.append({it.key(), tr("Unknown field")});
    }
    if (mode == InputMode::Create) {
        if (!body.contains(QStringLiteral("url")))
            errors.append({QStringLiteral("url"), tr("URL is required")});
        if (!body.contains(QStringLiteral("events")))
            errors.append({QStringLiteral("events"), tr("Choose at least one event type")});
    }
    if (const QJsonValue v = body.value(QStringLiteral("url")); !v.isUndefined()) {
        if (v.isString())
            w.url = v.toString();
        else
            typeError(QStringLiteral("url"), tr("a string"));
    }
    if (const QJsonValue v = body.value(QStringLiteral("name")); !v.isUndefined()) {
        if (v.isString())
            w.name = v.toString();
        else
            typeError(QStringLiteral("name"), tr("a string"));
    } else if (mode == InputMode::Create) {
        w.name = QUrl(w.url).host(); // a readable default: the endpoint's host
    }
    if (const QJsonValue v = body.value(QStringLiteral("events")); !v.isUndefined()) {
        if (!v.isArray() || v.toArray().size() > 1000) {
            typeError(QStringLiteral("events"), tr("an array of event type names"));
        } else {
            w.events.clear();
            const QJsonArray a = v.toArray();
            for (qsizetype i = 0; i < a.size(); ++i) {
                if (a.at(i).isString())
                    w.events << a.at(i).toString();
                else
                    typeError(QStringLiteral("events[%1]").arg(i), tr("a string"));
            }
        }
    }
    if (const QJsonValue v = body.value(QStringLiteral("is_active")); !v.isUndefined()) {
        if (v.isBool())
            w.isActive = v.toBool();
        else
            typeError(QStringLiteral("is_active"), tr("true or false"));
    }
    if (const QJsonValue v = body.value(QStringLiteral("timeout_seconds")); !v.isUndefined()) {
        if (isInteger(v))
            w.timeoutSeconds = int(std::clamp<qint64>(v.toInteger(), -1, 1000000));
        else
            typeError(QStringLiteral("timeout_seconds"), tr("a whole number of seconds"));
    }
    if (const QJsonValue v = body.value(QStringLiteral("retry_count")); !v.isUndefined()) {
        if (!isInteger(v) || v.toInteger() < 0 || v.toInteger() > WebhookValidator::kMaxRetries)
            errors.append({QStringLiteral("retry_count"),
                           tr("Must be a whole number from 0 to %1").arg(WebhookValidator::kMaxRetries)});
        else
            w.retrySchedule = scheduleForRetryCount(int(v.toInteger()));
    }
    if (const QJsonValue v = body.value(QStringLiteral("retry_schedule")); !v.isUndefined()) {
        QList<qint64> delays;
        bool ok = v.isArray() && v.toArray().size() <= 100;
        for (const QJsonValue& d : v.toArray())
            ok = ok && isInteger(d) && (delays << d.toInteger(), true);
        if (ok)
            w.retrySchedule = RetrySchedule(delays);
        else
            typeError(QStringLiteral("retry_schedule"), tr("an array of delays in seconds"));
    }
    if (const QJsonValue v = body.value(QStringLiteral("headers")); !v.isUndefined()) {
        if (!v.isObject() || v.toObject().size() > 1000) {
            typeError(QStringLiteral("headers"), tr("an object of header names to string values"));
        } else {
            HeaderList headers;
            const QJsonObject o = v.toObject();
            for (auto it = o.begin(); it != o.end(); ++it) {
                if (!it.value().isString()) {
                    typeError(QStringLiteral("headers.%1").arg(it.key()), tr("a string"));
                    continue;
                }
                bool secret = false;
                for (const Header& old : std::as_const(w.headers))
                    secret |= old.secret && old.name.compare(it.key(), Qt::CaseInsensitive) == 0;
                headers.append({it.key(), it.value().toString(), secret});
            }
            w.headers = headers;
        }
    }
    if (const QJsonValue v = body.value(QStringLiteral("auth")); !v.isUndefined()) {
        const QJsonObject a = v.toObject();
        AuthConfig::Type type;
        if (!v.isObject() || !a.value(QStringLiteral("type")).isString() ||
            !AuthConfig::parseType(a.value(QStringLiteral("type")).toString(), &type)) {
            errors.append(
                {QStringLiteral("auth.type"), tr("Auth must be {\"type\": \"none\" | \"basic\" | \"bearer\", ...}")});
        } else {
            AuthConfig auth{type, {}, {}, {}};
            for (const char* key : {"username", "password", "token"}) {
                const QJsonValue f = a.value(QLatin1String(key));
                if (!f.isUndefined() && !f.isString())
                    typeError(QStringLiteral("auth.") + QLatin1String(key), tr("a string"));
            }
            auth.username = a.value(QStringLiteral("username")).toString();
            auth.password = a.value(QStringLiteral("password")).toString();
            auth.token = a.value(QStringLiteral("token")).toString();
            w.auth = auth;
        }
    }
    return errors;
}

} // namespace outhook::api
