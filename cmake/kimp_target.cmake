# Shared compile settings for every kimp target: strict warnings and optional sanitizers.
# -Wnull-dereference is left out: GCC 12 raises it falsely inside Boost.Asio's executors at -O2.
set(KIMP_WARNINGS -Wall -Wextra -Werror -Wpedantic -Wshadow -Wnon-virtual-dtor -Wold-style-cast
                  -Wcast-align -Woverloaded-virtual -Wimplicit-fallthrough)

if(KIMP_SANITIZE)
  set(KIMP_SANITIZER_FLAGS -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer)
endif()
# The fuzzing tree (clang) instruments every library for libFuzzer's coverage; fuzz/ links the driver.
if(KIMP_FUZZ)
  set(KIMP_SANITIZER_FLAGS -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=all
                           -fno-omit-frame-pointer)
endif()

# kimp_apply_settings(target): warnings, sanitizers and the repository's include root.
function(kimp_apply_settings target)
  target_compile_options(${target} PRIVATE ${KIMP_WARNINGS} ${KIMP_SANITIZER_FLAGS})
  target_link_options(${target} PRIVATE ${KIMP_SANITIZER_FLAGS})
endfunction()

# kimp_library(name SOURCES ... DEPS ...): one library per src/ folder with declared dependencies.
function(kimp_library name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS" ${ARGN})
  add_library(${name} STATIC ${ARG_SOURCES})
  target_include_directories(${name} PUBLIC ${PROJECT_SOURCE_DIR}/src)
  target_link_libraries(${name} PUBLIC ${ARG_DEPS})
  kimp_apply_settings(${name})
  if(KIMP_SANITIZE OR KIMP_FUZZ)
    target_compile_options(${name} PUBLIC ${KIMP_SANITIZER_FLAGS})
    target_link_options(${name} PUBLIC ${KIMP_SANITIZER_FLAGS})
  endif()
endfunction()
