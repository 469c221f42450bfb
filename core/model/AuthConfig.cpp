#include "model/AuthConfig.h"

namespace outhook {

QString AuthConfig::typeName(Type t)
{
    switch (t) {
    case Type::Basic:
        return QStringLiteral("basic");
    case Type::Bearer:
        return QStringLiteral("bearer");
    case Type::None:
        break;
    }
    return QStringLiteral("none");
}

bool AuthConfig::parseType(const QString& name, Type* out)
{
    const QString n = name.trimmed().toLower();
    if (n == QLatin1String("none") || n.isEmpty())
        *out = Type::None;
    else if (n == QLatin1String("basic"))
        *out = Type::Basic;
    else if (n == QLatin1String("bearer"))
        *out = Type::Bearer;
    else
        return false;
    return true;
}

} // namespace outhook
