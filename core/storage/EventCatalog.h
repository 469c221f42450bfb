#pragma once

#include "model/EventType.h"
#include "storage/Database.h"
#include "util/Clock.h"

#include <QSet>
#include <memory>

namespace outhook {

// Event types grouped by kind: the built-ins shipped in resources/events/catalog.json plus the types
// registered at runtime, which live in the database.
class EventCatalog
{
public:
    EventCatalog(std::shared_ptr<Database> db, const Clock& clock)
        : m_db(std::move(db))
        , m_clock(clock)
    {}

    static const QList<EventType>& builtinTypes();
    // Built-ins and registered types, sorted by kind, then name.
    Result<QList<EventType>> list() const;
    Result<QSet<QString>> names() const;
    Result<EventType> find(const QString& name) const; // NotFound when absent
    // Registers a new type. Validation errors name the field; an existing name is a Conflict.
    Result<EventType> add(const EventType& type);

    static QString checkTypeName(const QString& name);
    static QString checkKind(const QString& kind);

private:
    std::shared_ptr<Database> m_db;
    const Clock& m_clock;
};

} // namespace outhook
