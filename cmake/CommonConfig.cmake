# One INTERFACE target carries the warnings and Qt defines; every target links it.
add_library(outhook_common INTERFACE)
target_compile_options(outhook_common INTERFACE
    -Wall -Wextra -pedantic -Wshadow=local -Wnon-virtual-dtor -Wcast-align -Woverloaded-virtual
    $<$<BOOL:${OUTHOOK_WERROR}>:-Werror>)
target_compile_definitions(outhook_common INTERFACE
    QT_NO_CAST_FROM_ASCII
    QT_NO_CAST_TO_ASCII
    QT_NO_NARROWING_CONVERSIONS_IN_CONNECT
    QT_USE_QSTRINGBUILDER
    QT_NO_KEYWORDS
    QT_DISABLE_DEPRECATED_BEFORE=0x060400
    OUTHOOK_VERSION="${PROJECT_VERSION}")
