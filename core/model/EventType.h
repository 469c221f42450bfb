#pragma once

#include <QJsonObject>
#include <QString>

namespace outhook {

// An event type from the catalog, named "kind.action" (e.g. "invoice.paid").
struct EventType
{
    QString name;
    QString kind;
    QString description;
    QJsonObject sample; // the `data` sent by a test send
    bool builtin = false;
};

} // namespace outhook
