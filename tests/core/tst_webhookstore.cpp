#include "storage/Database.h"
#include "storage/EventCatalog.h"
#include "storage/WebhookStore.h"

#include "TestDatabases.h"
#include <QSqlQuery>

#include <QTemporaryDir>
#include <QTest>

using namespace outhook;

// WebhookStore and EventCatalog on a real database of each backend (SQLite file, PostgreSQL from
// scripts/test-postgres: scripts/test-postgres build/tests/core/tst_webhookstore).
class TestWebhookStore : public QObject
{
    Q_OBJECT
    QTemporaryDir m_dir;
    ManualClock m_clock{QDateTime(QDate(2026, 11, 1), QTime(12, 0), QTimeZone::utc())};
    std::shared_ptr<Database> m_db;
    std::unique_ptr<EventCatalog> m_catalog;
    std::unique_ptr<WebhookStore> m_store;

    int count(const QString& table)
    {
        QSqlQuery q(m_db->connection());
        q.exec(QStringLiteral("SELECT COUNT(*) FROM ") + table);
        q.next();
        return q.value(0).toInt();
    }

    static Webhook sample()
    {
        Webhook w;
        w.name = QStringLiteral("  Billing sync  ");
        w.url = QStringLiteral("https://hooks.example.com/billing");
        w.events = {QStringLiteral("invoice.paid"), QStringLiteral("invoice.created"), QStringLiteral("invoice.paid")};
        w.auth = {AuthConfig::Type::Basic, QStringLiteral("alice"), QStringLiteral("s3cret"), {}};
        w.headers = {{QStringLiteral("X-Team"), QStringLiteral("billing"), false},
                     {QStringLiteral("X-Api-Key"), QStringLiteral("k-123"), true}};
        w.retrySchedule = RetrySchedule({60, 120});
        w.timeoutSeconds = 15;
        return w;
    }

private Q_SLOTS:
    void initTestCase_data() { test::addBackendRows(); }
    void init()
    {
        static int n = 0;
        m_db = test::freshDatabase(m_dir.filePath(QStringLiteral("store%1.db").arg(++n)));
        QVERIFY2(m_db, "could not open a fresh database for this backend");
        m_catalog = std::make_unique<EventCatalog>(m_db, m_clock);
        m_store = std::make_unique<WebhookStore>(m_db, *m_catalog, m_clock);
    }
    void cleanup()
    {
        m_store.reset();
        m_catalog.reset();
        m_db.reset();
    }

    void catalogHasBuiltins()
    {
        const auto types = m_catalog->list();
        QVERIFY(types);
        QStringList names;
        for (const EventType& t : *types) {
            names << t.name;
            QVERIFY2(!t.description.isEmpty(), qPrintable(t.name));
            QVERIFY2(!t.sample.isEmpty(), qPrintable(t.name));
            QCOMPARE(t.name.section(QLatin1Char('.'), 0, 0), t.kind);
        }
        for (const char* required :
             {"job.created", "job.updated", "job.assigned", "job.image_created", "job.document_created",
              "job.status_changed", "estimate.created", "estimate.updated", "signed_document.signed",
              "signable_document.signed", "invoice.created", "invoice.paid", "task.completed", "form.submitted",
              "proposal.signed", "contact.created", "project.updated", "contract.signed", "time_entry.logged"})
            QVERIFY2(names.contains(QLatin1String(required)), required);
    }

    void catalogRegistersTypes()
    {
        EventType t{QStringLiteral("shipment.delivered"), QStringLiteral("shipment"), QStringLiteral("Delivered"),
                    QJsonObject{{QStringLiteral("id"), 1}}, false};
        const auto added = m_catalog->add(t);
        QVERIFY2(added, qPrintable(added.error().message));
        QCOMPARE(m_catalog->find(QStringLiteral("shipment.delivered"))->sample.value(QStringLiteral("id")).toInt(), 1);

        const auto dup = m_catalog->add(t);
        QVERIFY(!dup);
        QCOMPARE(dup.error().kind, Error::Kind::Conflict);
        const auto builtinDup =
            m_catalog->add({QStringLiteral("invoice.paid"), QStringLiteral("invoice"), {}, {}, false});
        QCOMPARE(builtinDup.error().kind, Error::Kind::Conflict);
        const auto bad = m_catalog->add({QStringLiteral("Bad Name"), QStringLiteral("K!"), {}, {}, false});
        QCOMPARE(bad.error().kind, Error::Kind::Validation);
        QCOMPARE(bad.error().fields.size(), 2);
        QCOMPARE(count(QStringLiteral("event_types")), 1);
    }

    void createRoundTrip()
    {
        const auto created = m_store->create(sample());
        QVERIFY2(created, qPrintable(created.error().message));
        const auto got = m_store->get(created->id);
        QVERIFY(got);
        const Webhook& w = *got;
        QVERIFY(w.id > 0);
        QCOMPARE(w.name, QStringLiteral("Billing sync"));
        QCOMPARE(w.url, QStringLiteral("https://hooks.example.com/billing"));
        QCOMPARE(w.events, (QStringList{QStringLiteral("invoice.paid"), QStringLiteral("invoice.created")}));
        QCOMPARE(w.isActive, false);
        QCOMPARE(w.auth.type, AuthConfig::Type::Basic);
        QCOMPARE(w.auth.username, QStringLiteral("alice"));
        QCOMPARE(w.auth.password, QStringLiteral("s3cret"));
        QCOMPARE(w.headers, sample().headers);
        QCOMPARE(w.retrySchedule, RetrySchedule({60, 120}));
        QCOMPARE(w.timeoutSeconds, 15);
        QVERIFY(w.secret.startsWith(QLatin1String("whsec_")));
        QCOMPARE(w.createdAt, m_clock.nowMs());
        QCOMPARE(w.updatedAt, m_clock.nowMs());
        QCOMPARE(w.failureCount, 0);
        QVERIFY(!w.lastTriggeredAt && !w.lastSuccessAt && !w.lastFailureAt);
    }

    void defaultsApply()
    {
        Webhook w;
        w.name = QStringLiteral("d");
        w.url = QStringLiteral("https://example.com/");
        w.events = {QStringLiteral("job.created")};
        const auto created = m_store->create(w);
        QVERIFY(created);
        QCOMPARE(created->retrySchedule.delaysSeconds(), (QList<qint64>{300, 600, 1200}));
        QCOMPARE(created->timeoutSeconds, 30);
        QCOMPARE(created->isActive, false);
        QCOMPARE(created->auth.type, AuthConfig::Type::None);
    }

    void invalidCreateWritesNothing()
    {
        Webhook w = sample();
        w.url = QStringLiteral("http://insecure.example.com/");
        w.events << QStringLiteral("nope.nothing");
        const auto created = m_store->create(w);
        QVERIFY(!created);
        QCOMPARE(created.error().kind, Error::Kind::Validation);
        QCOMPARE(created.error().fields.first().field, QStringLiteral("url"));
        QCOMPARE(created.error().fields.first().message, QStringLiteral("HTTPS is required"));
        QCOMPARE(count(QStringLiteral("webhooks")), 0);
        QCOMPARE(count(QStringLiteral("webhook_events")), 0);
    }

    void sqlMetacharactersAreData()
    {
        Webhook w = sample();
        w.name = QStringLiteral("x'); DROP TABLE webhooks;--");
        const auto created = m_store->create(w);
        QVERIFY(created);
        QCOMPARE(m_store->get(created->id)->name, w.name);
        QCOMPARE(count(QStringLiteral("webhooks")), 1);
    }

    void updateKeepsSecretsAndCounters()
    {
        const auto created = m_store->create(sample());
        QVERIFY(created);
        m_clock.advance(60000);
        Webhook edit = *created;
        edit.name = QStringLiteral("Renamed");
        edit.events = {QStringLiteral("job.created")};
        edit.auth.password.clear(); // blank means "keep"
        edit.headers[1].value = headers::redacted();
        const auto updated = m_store->update(edit);
        QVERIFY2(updated, qPrintable(updated.error().message));
        QCOMPARE(updated->name, QStringLiteral("Renamed"));
        QCOMPARE(updated->events, QStringList{QStringLiteral("job.created")});
        QCOMPARE(updated->auth.password, QStringLiteral("s3cret"));
        QCOMPARE(updated->headers[1].value, QStringLiteral("k-123"));
        QCOMPARE(updated->secret, created->secret);
        QCOMPARE(updated->createdAt, created->createdAt);
        QCOMPARE(updated->updatedAt, created->updatedAt + 60000);
        QCOMPARE(count(QStringLiteral("webhook_events")), 1);
    }

    void invalidUpdateChangesNothing()
    {
        const auto created = m_store->create(sample());
        Webhook edit = *created;
        edit.name = QStringLiteral("ok");
        edit.headers.append({QStringLiteral("Content-Type"), QStringLiteral("text/plain"), false});
        const auto updated = m_store->update(edit);
        QVERIFY(!updated);
        QCOMPARE(updated.error().fields.first().field, QStringLiteral("headers[2].name"));
        QCOMPARE(m_store->get(created->id)->name, QStringLiteral("Billing sync"));
    }

    void activationToggle()
    {
        const auto created = m_store->create(sample());
        QSqlQuery q(m_db->connection());
        QVERIFY(q.exec(
            QStringLiteral("UPDATE webhooks SET disabled_reason = '410 Gone from endpoint', failure_count = 4")));
        const auto on = m_store->setActive(created->id, true);
        QVERIFY(on);
        QVERIFY(on->isActive);
        QVERIFY(on->disabledReason.isEmpty());
        QCOMPARE(on->failureCount, 0);
        QVERIFY(!m_store->setActive(created->id, false)->isActive);
        QCOMPARE(m_store->setActive(9999, true).error().kind, Error::Kind::NotFound);
    }

    void removeCascades()
    {
        const auto a = m_store->create(sample());
        const auto b = m_store->create(sample());
        QVERIFY(m_store->remove(a->id));
        QCOMPARE(m_store->get(a->id).error().kind, Error::Kind::NotFound);
        QCOMPARE(m_store->remove(a->id).error().kind, Error::Kind::NotFound);
        QCOMPARE(count(QStringLiteral("webhook_events")), 2);
        QCOMPARE(m_store->list()->size(), 1);
        QCOMPARE(m_store->list()->first().id, b->id);
    }

    void rotateWithGrace()
    {
        const auto created = m_store->create(sample());
        const auto rotated = m_store->rotateSecret(created->id, 3600);
        QVERIFY(rotated);
        QVERIFY(rotated->secret != created->secret);
        QCOMPARE(rotated->previousSecret, created->secret);
        const qint64 now = m_clock.nowMs();
        QCOMPARE(rotated->liveSecrets(now).size(), 2);
        QCOMPARE(rotated->liveSecrets(now + 3600 * 1000).size(), 1);
        const auto again = m_store->rotateSecret(created->id, 0);
        QVERIFY(again->previousSecret.isEmpty());
    }

    void pagesByKeyset()
    {
        for (int i = 0; i < 5; ++i)
            QVERIFY(m_store->create(sample()));
        const auto first = m_store->page(0, 2);
        QCOMPARE(first->size(), 2);
        const auto second = m_store->page(first->last().id, 2);
        QCOMPARE(second->size(), 2);
        QVERIFY(second->first().id > first->last().id);
        QCOMPARE(m_store->page(second->last().id, 10)->size(), 1);
        QCOMPARE(second->first().events.size(), 2);
    }
};

QTEST_GUILESS_MAIN(TestWebhookStore)
#include "tst_webhookstore.moc"
