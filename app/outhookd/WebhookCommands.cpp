#include "CliContext.h"
#include "CliTable.h"

#include "model/WebhookJson.h"
#include "storage/SettingsStore.h"
#include "util/Time.h"

#include <QJsonArray>

namespace outhook::cli {

namespace {

// Flags shared by `webhooks add` and `webhooks update`.
struct WebhookFlags
{
    QCommandLineOption name{QStringLiteral("name"), QStringLiteral("Display name."), QStringLiteral("name")};
    QCommandLineOption url{QStringLiteral("url"), QStringLiteral("Endpoint URL (https:// only)."),
                           QStringLiteral("url")};
    QCommandLineOption events{QStringLiteral("events"), QStringLiteral("Comma-separated event types."),
                              QStringLiteral("t1,t2")};
    QCommandLineOption auth{QStringLiteral("auth"), QStringLiteral("none, basic or bearer."), QStringLiteral("type")};
    QCommandLineOption username{QStringLiteral("username"), QStringLiteral("Basic auth user name."),
                                QStringLiteral("user")};
    QCommandLineOption password{QStringLiteral("password"), QStringLiteral("Basic auth password."),
                                QStringLiteral("password")};
    QCommandLineOption token{QStringLiteral("token"), QStringLiteral("Bearer token."), QStringLiteral("token")};
    QCommandLineOption header{QStringLiteral("header"), QStringLiteral("Custom header \"Name: value\" (repeatable)."),
                              QStringLiteral("header")};
    QCommandLineOption secretHeader{QStringLiteral("secret-header"),
                                    QStringLiteral("Custom header whose value is a secret (repeatable)."),
                                    QStringLiteral("header")};
    QCommandLineOption clearHeaders{QStringLiteral("clear-headers"), QStringLiteral("Remove all custom headers.")};
    QCommandLineOption active{QStringLiteral("active"), QStringLiteral("Activate the webhook.")};
    QCommandLineOption inactive{QStringLiteral("inactive"), QStringLiteral("Deactivate the webhook.")};
    QCommandLineOption retrySchedule{
        QStringLiteral("retry-schedule"),
        QStringLiteral("Delays before each retry, e.g. 5m,10m,20m (\"none\": no retries)."), QStringLiteral("delays")};
    QCommandLineOption timeout{QStringLiteral("timeout"), QStringLiteral("Request timeout, e.g. 30s."),
                               QStringLiteral("duration")};

    bool forUpdate = false;

    void addTo(SubParser& p, bool update)
    {
        forUpdate = update;
        for (const auto* o : {&name, &url, &events, &auth, &username, &password, &token, &header, &secretHeader,
                              &retrySchedule, &timeout, &active})
            p.addOption(*o);
        if (forUpdate) {
            p.addOption(inactive);
            p.addOption(clearHeaders);
        }
    }

    // Applies the flags that are set onto `w`. Problems with flag values are field errors (exit 3).
    FieldErrors apply(const QCommandLineParser& p, Webhook& w) const
    {
        FieldErrors errors;
        if (p.isSet(name))
            w.name = p.value(name);
        if (p.isSet(url))
            w.url = p.value(url);
        if (p.isSet(events)) {
            w.events.clear();
            for (const QString& v : p.values(events))
                for (const QString& t : v.split(QLatin1Char(','), Qt::SkipEmptyParts))
                    w.events << t.trimmed();
        }
        if (p.isSet(auth)) {
            AuthConfig::Type type;
            if (!AuthConfig::parseType(p.value(auth), &type))
                errors.append({QStringLiteral("auth.type"), QStringLiteral("Auth must be none, basic or bearer")});
            else if (type != w.auth.type)
                w.auth = AuthConfig{type, {}, {}, {}};
        }
        if (p.isSet(username))
            w.auth.username = p.value(username);
        if (p.isSet(password))
            w.auth.password = p.value(password);
        if (p.isSet(token))
            w.auth.token = p.value(token);
        if ((p.isSet(username) || p.isSet(password)) && w.auth.type != AuthConfig::Type::Basic)
            errors.append({QStringLiteral("auth.type"), QStringLiteral("--username and --password need --auth basic")});
        if (p.isSet(token) && w.auth.type != AuthConfig::Type::Bearer)
            errors.append({QStringLiteral("auth.type"), QStringLiteral("--token needs --auth bearer")});
        if ((forUpdate && p.isSet(clearHeaders)) || p.isSet(header) || p.isSet(secretHeader))
            w.headers.clear();
        int index = 0;
        for (const auto* opt : {&header, &secretHeader}) {
            for (const QString& line : p.values(*opt)) {
                Header h;
                if (!headers::parseLine(line, &h))
                    errors.append({QStringLiteral("headers[%1]").arg(index),
                                   QStringLiteral("Header must be written as \"Name: value\"")});
                h.secret = opt == &secretHeader;
                w.headers.append(h);
                ++index;
            }
        }
        if (p.isSet(active))
            w.isActive = true;
        if (forUpdate && p.isSet(inactive))
            w.isActive = false;
        if (p.isSet(retrySchedule)) {
            const auto s = RetrySchedule::parse(p.value(retrySchedule));
            if (!s)
                errors.append({QStringLiteral("retry_schedule"),
                               QStringLiteral("Retry schedule must be durations like 5m,10m,20m")});
            else
                w.retrySchedule = *s;
        }
        if (p.isSet(timeout)) {
            const auto s = time::parseDurationSeconds(p.value(timeout));
            if (!s || *s > 1000000)
                errors.append(
                    {QStringLiteral("timeout_seconds"), QStringLiteral("Timeout must be a duration like 30s")});
            else
                w.timeoutSeconds = int(*s);
        }
        return errors;
    }
};

QString lastResult(const Webhook& w)
{
    if (!w.lastSuccessAt && !w.lastFailureAt)
        return QStringLiteral("-");
    const bool success = w.lastSuccessAt && (!w.lastFailureAt || *w.lastSuccessAt >= *w.lastFailureAt);
    return (success ? QStringLiteral("ok ") : QStringLiteral("failed ")) +
           time::toIso(success ? w.lastSuccessAt : w.lastFailureAt);
}

void printWebhook(CliContext& ctx, const Webhook& w, bool withSecret)
{
    if (ctx.json) {
        ctx.printJson(
            json::webhookToJson(w, withSecret ? json::SecretVisibility::Shown : json::SecretVisibility::Hidden));
        return;
    }
    QTextStream& o = ctx.out;
    o << "id:              " << w.id << '\n';
    o << "name:            " << w.name << '\n';
    o << "url:             " << w.url << '\n';
    o << "active:          " << (w.isActive ? "yes" : "no") << '\n';
    if (!w.disabledReason.isEmpty())
        o << "disabled reason: " << w.disabledReason << '\n';
    o << "events:          " << w.events.join(QStringLiteral(", ")) << '\n';
    o << "auth:            " << AuthConfig::typeName(w.auth.type);
    if (w.auth.type == AuthConfig::Type::Basic)
        o << " (user " << w.auth.username << ")";
    o << '\n';
    for (const Header& h : w.headers)
        o << "header:          " << h.name << ": " << (h.secret ? headers::redacted() : h.value) << '\n';
    o << "retry schedule:  " << (w.retrySchedule.retryCount() ? w.retrySchedule.toString() : QStringLiteral("none"))
      << '\n';
    o << "timeout:         " << w.timeoutSeconds << "s\n";
    o << "last result:     " << lastResult(w) << '\n';
    o << "failure count:   " << w.failureCount << '\n';
    o << "created:         " << time::toIso(w.createdAt) << '\n';
    if (withSecret)
        o << "secret:          " << w.secret << '\n';
    o.flush();
}

int add(CliContext& ctx, const QStringList& args)
{
    SubParser p(ctx, QStringLiteral("webhooks add"), QStringLiteral("Create a webhook. New webhooks start inactive."));
    WebhookFlags f;
    f.addTo(p, false);
    if (int rc = p.parse(args, 0, 0); rc >= 0)
        return rc;
    Webhook w;
    FieldErrors errors = f.apply(p.parser(), w);
    if (!errors.isEmpty())
        return ctx.fail(Error::validation(errors));
    if (!ctx.openDatabase())
        return Storage;
    // What the flags leave out comes from the team's defaults (retry schedule, timeout).
    const auto team = SettingsStore(ctx.db, ctx.clock).load();
    if (!team)
        return ctx.fail(team.error());
    if (!p.parser().isSet(f.retrySchedule))
        w.retrySchedule = team->retryScheduleOrDefault();
    if (!p.parser().isSet(f.timeout))
        w.timeoutSeconds = team->timeoutOrDefault();
    const auto created = ctx.webhooks->create(w);
    if (!created)
        return ctx.fail(created.error());
    printWebhook(ctx, *created, true);
    return Ok;
}

int update(CliContext& ctx, const QStringList& args)
{
    SubParser p(ctx, QStringLiteral("webhooks update"), QStringLiteral("Change a webhook's fields."));
    p.addPositional(QStringLiteral("id"), QStringLiteral("Webhook id."));
    WebhookFlags f;
    f.addTo(p, true);
    if (int rc = p.parse(args, 1, 1); rc >= 0)
        return rc;
    qint64 id = 0;
    if (!parseId(p.positional().first(), &id))
        return ctx.usage(QStringLiteral("\"%1\" is not a webhook id").arg(p.positional().first()));
    if (!ctx.openDatabase())
        return Storage;
    auto existing = ctx.webhooks->get(id);
    if (!existing)
        return ctx.fail(existing.error());
    Webhook w = *existing;
    FieldErrors errors = f.apply(p.parser(), w);
    if (!errors.isEmpty())
        return ctx.fail(Error::validation(errors));
    const auto updated = ctx.webhooks->update(w);
    if (!updated)
        return ctx.fail(updated.error());
    printWebhook(ctx, *updated, false);
    return Ok;
}

int list(CliContext& ctx, const QStringList& args)
{
    SubParser p(ctx, QStringLiteral("webhooks list"), QStringLiteral("List webhooks."));
    if (int rc = p.parse(args, 0, 0); rc >= 0)
        return rc;
    if (!ctx.openDatabase())
        return Storage;
    const auto all = ctx.webhooks->list();
    if (!all)
        return ctx.fail(all.error());
    if (ctx.json) {
        QJsonArray a;
        for (const Webhook& w : *all)
            a.append(json::webhookToJson(w, json::SecretVisibility::Hidden));
        ctx.printJson(a);
        return Ok;
    }
    CliTable t({QStringLiteral("ID"), QStringLiteral("ACTIVE"), QStringLiteral("NAME"), QStringLiteral("URL"),
                QStringLiteral("EVENTS"), QStringLiteral("FAILURES"), QStringLiteral("LAST RESULT")});
    for (const Webhook& w : *all)
        t.addRow({QString::number(w.id), w.isActive ? QStringLiteral("yes") : QStringLiteral("no"), w.name, w.url,
                  QString::number(w.events.size()), QString::number(w.failureCount), lastResult(w)});
    t.print(ctx.out);
    return Ok;
}

// show, enable, disable and remove share one shape: a single id argument.
int withId(CliContext& ctx, const QString& action, const QStringList& args)
{
    SubParser p(ctx, QStringLiteral("webhooks ") + action, QStringLiteral("Act on one webhook."));
    p.addPositional(QStringLiteral("id"), QStringLiteral("Webhook id."));
    if (int rc = p.parse(args, 1, 1); rc >= 0)
        return rc;
    qint64 id = 0;
    if (!parseId(p.positional().first(), &id))
        return ctx.usage(QStringLiteral("\"%1\" is not a webhook id").arg(p.positional().first()));
    if (!ctx.openDatabase())
        return Storage;
    if (action == QLatin1String("remove")) {
        if (Status s = ctx.webhooks->remove(id); !s)
            return ctx.fail(s.error());
        if (ctx.json)
            ctx.printJson(QJsonObject{{QStringLiteral("id"), id}, {QStringLiteral("deleted"), true}});
        else
            ctx.out << "Deleted webhook " << id << Qt::endl;
        return Ok;
    }
    Result<Webhook> w = action == QLatin1String("show")
                            ? ctx.webhooks->get(id)
                            : ctx.webhooks->setActive(id, action == QLatin1String("enable"));
    if (!w)
        return ctx.fail(w.error());
    printWebhook(ctx, *w, action == QLatin1String("show"));
    return Ok;
}

int rotateSecret(CliContext& ctx, const QStringList& args)
{
    SubParser p(ctx, QStringLiteral("webhooks rotate-secret"),
                QStringLiteral("Replace the signing secret. The old one keeps signing during the grace period."));
    p.addPositional(QStringLiteral("id"), QStringLiteral("Webhook id."));
    const QCommandLineOption grace(QStringLiteral("grace"),
                                   QStringLiteral("How long the old secret stays valid (default 24h)."),
                                   QStringLiteral("duration"), QStringLiteral("24h"));
    p.addOption(grace);
    if (int rc = p.parse(args, 1, 1); rc >= 0)
        return rc;
    qint64 id = 0;
    if (!parseId(p.positional().first(), &id))
        return ctx.usage(QStringLiteral("\"%1\" is not a webhook id").arg(p.positional().first()));
    const auto seconds = time::parseDurationSeconds(p.parser().value(grace));
    if (!seconds || *seconds > 30 * 86400)
        return ctx.fail(
            Error::validation(QStringLiteral("grace"), QStringLiteral("Grace must be a duration up to 30d, like 24h")));
    if (!ctx.openDatabase())
        return Storage;
    const auto w = ctx.webhooks->rotateSecret(id, *seconds);
    if (!w)
        return ctx.fail(w.error());
    printWebhook(ctx, *w, true);
    return Ok;
}

} // namespace

int runWebhooks(CliContext& ctx, const QStringList& args)
{
    const QString action = args.value(0);
    const QStringList rest = args.mid(1);
    if (action == QLatin1String("add"))
        return add(ctx, rest);
    if (action == QLatin1String("update"))
        return update(ctx, rest);
    if (action == QLatin1String("list"))
        return list(ctx, rest);
    if (action == QLatin1String("rotate-secret"))
        return rotateSecret(ctx, rest);
    if (QStringList{QStringLiteral("show"), QStringLiteral("enable"), QStringLiteral("disable"),
                    QStringLiteral("remove")}
            .contains(action))
        return withId(ctx, action, rest);
    return ctx.unknownAction(QStringLiteral("webhooks"), action,
                             {QStringLiteral("add"), QStringLiteral("list"), QStringLiteral("show"),
                              QStringLiteral("update"), QStringLiteral("enable"), QStringLiteral("disable"),
                              QStringLiteral("remove"), QStringLiteral("rotate-secret")});
}

} // namespace outhook::cli
