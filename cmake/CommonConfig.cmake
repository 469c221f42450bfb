# One INTERFACE target carries the warnings and Qt defines; every target links it.
add_library(outhook_common INTERFACE)
target_compile_options(outhook_common INTERFACE
    -Wall -Wextra -pedantic $<$<CXX_COMPILER_ID:GNU>:-Wshadow=local> -Wnon-virtual-dtor -Wcast-align -Woverloaded-virtual
    $<$<BOOL:${OUTHOOK_WERROR}>:-Werror>)
target_compile_definitions(outhook_common INTERFACE
    QT_NO_CAST_FROM_ASCII
    QT_NO_CAST_TO_ASCII
    QT_NO_NARROWING_CONVERSIONS_IN_CONNECT
    QT_USE_QSTRINGBUILDER
    QT_NO_KEYWORDS
    QT_DISABLE_DEPRECATED_BEFORE=0x060400
    OUTHOOK_VERSION="${PROJECT_VERSION}")

# Sanitizers: OUTHOOK_SANITIZE is a ;-list handed to -fsanitize= ("address;undefined" or "thread").
# They go on the common target so every library, executable and test is instrumented alike.
set(OUTHOOK_SANITIZE "" CACHE STRING "Sanitizers to build with: address;undefined | thread | empty")
if(OUTHOOK_SANITIZE)
    list(JOIN OUTHOOK_SANITIZE "," _outhook_sanitizers)
    # -O1 -g1 (line tables): readable stack traces at a fraction of the compile time of -O2 -g.
    set(_outhook_san_flags -fsanitize=${_outhook_sanitizers} -fno-omit-frame-pointer -O1 -g1)
    if("undefined" IN_LIST OUTHOOK_SANITIZE)
        # A UBSan report fails the run instead of scrolling by.
        list(APPEND _outhook_san_flags -fno-sanitize-recover=undefined)
    endif()
    target_compile_options(outhook_common INTERFACE ${_outhook_san_flags})
    target_link_options(outhook_common INTERFACE ${_outhook_san_flags})
endif()

# libFuzzer: with OUTHOOK_FUZZ the libraries are built with coverage instrumentation
# (fuzzer-no-link) plus ASan and UBSan; tests/fuzz links the targets with -fsanitize=fuzzer.
option(OUTHOOK_FUZZ "Build the libFuzzer targets in tests/fuzz (needs clang)" OFF)
if(OUTHOOK_FUZZ)
    if(NOT CMAKE_CXX_COMPILER_ID MATCHES "Clang")
        message(FATAL_ERROR "OUTHOOK_FUZZ needs clang (use the 'fuzz' preset)")
    endif()
    set(_outhook_fuzz_flags -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=undefined -O1 -g1
        -fno-omit-frame-pointer)
    target_compile_options(outhook_common INTERFACE ${_outhook_fuzz_flags})
    target_link_options(outhook_common INTERFACE -fsanitize=address,undefined)
endif()

# tcmalloc (gperftools, Debian's libgoogle-perftools-dev) for the two executables. Buffers are built on
# one thread and freed on another (HTTP thread and ingest lane, dispatcher and its lane); glibc's malloc
# spent about a tenth of the dispatcher's CPU on that. Linked vs not, side by side, 100,000 deliveries to
# local nginx: 15.6k -> 18.3k, 15.8k -> 18.5k, 18.4k -> 20.7k/s; outhookd's CPU 72 -> 58 us per delivery
# in the first pair. Sanitizer builds keep their own allocator.
option(OUTHOOK_TCMALLOC "Link outhook and outhookd with tcmalloc" ON)
if(OUTHOOK_TCMALLOC AND NOT OUTHOOK_SANITIZE AND NOT OUTHOOK_FUZZ)
    find_package(PkgConfig REQUIRED)
    pkg_check_modules(TCMALLOC REQUIRED libtcmalloc_minimal)
endif()
function(outhook_use_tcmalloc target)
    if(TCMALLOC_FOUND)
        # Nothing calls it by name: --no-as-needed keeps the linker from dropping it.
        target_link_libraries(${target} PRIVATE "-Wl,--push-state,--no-as-needed" ${TCMALLOC_LINK_LIBRARIES}
                              "-Wl,--pop-state")
    endif()
endfunction()
