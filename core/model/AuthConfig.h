#pragma once

#include <QString>

namespace outhook {

// How a webhook authenticates to its endpoint, on top of the signature every request carries.
struct AuthConfig
{
    enum class Type
    {
        None,
        Basic,
        Bearer
    };
    Type type = Type::None;
    QString username; // basic only
    QString password; // basic only; a secret
    QString token;    // bearer only; a secret

    static QString typeName(Type t);
    // Returns false when `name` is not one of none/basic/bearer.
    static bool parseType(const QString& name, Type* out);
    bool operator==(const AuthConfig&) const = default;
};

} // namespace outhook
