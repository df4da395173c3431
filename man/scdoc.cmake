# Turns one scdoc page into roff: cmake -DSCDOC=... -DINPUT=page.scd -DOUTPUT=page.1
#   -DINCLUDE_DIR=man/include -DVERSION=0.1.0 [-DEPOCH=seconds] -P scdoc.cmake
# Before scdoc: @VERSION@ becomes the project version, and a line "@include NAME@" becomes the
# text of INCLUDE_DIR/NAME (shared sections such as the registry options).
# After scdoc: paragraph macros that mandoc -T lint reports as redundant (.P right after a
# heading, before another block, or at the end of an indented block) are dropped.
cmake_minimum_required(VERSION 3.25)
foreach(var SCDOC INPUT OUTPUT INCLUDE_DIR VERSION)
  if(NOT DEFINED ${var})
    message(FATAL_ERROR "scdoc.cmake: -D${var}= is required")
  endif()
endforeach()

file(READ "${INPUT}" text)
string(REGEX MATCHALL "@include [A-Za-z0-9._-]+@" includes "${text}")
list(REMOVE_DUPLICATES includes)
foreach(inc IN LISTS includes)
  string(REGEX REPLACE "^@include ([A-Za-z0-9._-]+)@$" "\\1" name "${inc}")
  file(READ "${INCLUDE_DIR}/${name}" body)
  string(REGEX REPLACE "\n$" "" body "${body}")
  string(REPLACE "${inc}" "${body}" text "${text}")
endforeach()
string(REPLACE "@VERSION@" "${VERSION}" text "${text}")
get_filename_component(name "${OUTPUT}" NAME)
set(expanded "${OUTPUT}.scd")
file(WRITE "${expanded}" "${text}")

if(DEFINED EPOCH AND NOT EPOCH STREQUAL "")
  set(ENV{SOURCE_DATE_EPOCH} "${EPOCH}")
endif()
execute_process(COMMAND "${SCDOC}" INPUT_FILE "${expanded}" OUTPUT_VARIABLE roff
                ERROR_VARIABLE err RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "scdoc failed on ${INPUT} (expanded in ${expanded}): ${err}")
endif()
file(REMOVE "${expanded}")

# Drop redundant paragraph macros (regex over the whole text: no CMake lists, whose ";" and
# "\\" handling would corrupt roff).
set(out "${roff}")
# groff's .TH turns hyphenation back on: keep option names and paths whole.
string(REGEX REPLACE "(\n\\.TH [^\n]*\n)" "\\1.nh\n" out "${out}")
# A paragraph break that ends an indented block goes after it, so list entries stay apart.
string(REGEX REPLACE "\n\\.P\n\\.RE\n" "\n.RE\n.P\n" out "${out}")
set(before "")
while(NOT out STREQUAL before)
  set(before "${out}")
  string(REGEX REPLACE "(\n\\.(SH|SS|P|RS)[^\n]*)\n\\.P\n" "\\1\n" out "${out}")
  string(REGEX REPLACE "\n\\.P(\n\\.(SH|SS|P|RE)[ \n])" "\\1" out "${out}")
  string(REGEX REPLACE "\n\\.P\n*$" "\n" out "${out}")
endwhile()
string(REGEX REPLACE "\n+$" "\n" out "${out}")
file(WRITE "${OUTPUT}" "${out}")
