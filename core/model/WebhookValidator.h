#pragma once

#include "model/Webhook.h"
#include "util/Result.h"

#include <QCoreApplication>
#include <functional>

namespace outhook {

// The one place that decides whether webhook input is acceptable. The GUI, the CLI and the API all
// call it, so they give the same messages. Every problem is returned, each with its field.
class WebhookValidator
{
    // Messages are shown in the app's editor, so they are translated there; outhookd and the REST API
    // install no translator and keep them English.
    Q_DECLARE_TR_FUNCTIONS(WebhookValidator)
public:
    static constexpr int kMaxUrlLength = 2048;
    static constexpr int kMaxHeaderNameLength = 256;
    static constexpr int kMaxHeaderValueLength = 8192;
    static constexpr int kMaxHeaders = 50;
    static constexpr int kMaxRetries = 20;
    static constexpr qint64 kMaxRetryDelaySeconds = 7 * 86400;
    static constexpr int kMaxTimeoutSeconds = 300;

    using EventTypeCheck = std::function<bool(const QString&)>;

    explicit WebhookValidator(EventTypeCheck isKnownEventType)
        : m_isKnown(std::move(isKnownEventType))
    {}

    FieldErrors validate(const Webhook& w) const;

    // Each returns an empty string when the input is fine, else a message for the user.
    static QString checkName(const QString& name);
    static QString checkUrl(const QString& url);
    static QString checkHeaderName(const QString& name, AuthConfig::Type authType);
    static QString checkHeaderValue(const QString& value);
    static QString checkTimeout(int seconds);
    static QString checkRetrySchedule(const RetrySchedule& schedule);
    static bool isReservedHeader(const QString& name, AuthConfig::Type authType);
    static FieldErrors checkAuth(const AuthConfig& auth);
    FieldErrors checkEvents(const QStringList& events) const;

private:
    EventTypeCheck m_isKnown;
};

} // namespace outhook
