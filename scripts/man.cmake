# Build spotsim.1 with help2man: the overview from `spotsim --help`, then one
# section per command from `spotsim COMMAND --help` (an --include file).
# cmake -DBIN=... -DHELP2MAN=... -DOUT=... -P scripts/man.cmake
set(include "${OUT}.include")
file(WRITE ${include} "[DESCRIPTION]\nSimulate and optimize services on EC2 Spot capacity.\n\n")
foreach(cmd import stats run optimize report export fit backtest list show diff explain)
  execute_process(COMMAND ${BIN} ${cmd} --help OUTPUT_VARIABLE help RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "${BIN} ${cmd} --help exited ${rc}")
  endif()
  string(TOUPPER ${cmd} up)
  # roff: a leading dot or quote would be a request; backslashes escape
  string(REPLACE "\\" "\\e" help "${help}")
  string(REGEX REPLACE "\n([.'])" "\n\\\\&\\1" help "\n${help}")
  file(APPEND ${include} "[COMMAND ${up}]\n.nf\n${help}\n.fi\n\n")
endforeach()
file(APPEND ${include} "[ENVIRONMENT]\n.TP\n.B SPOTSIM_DB\nthe store when --db is not given (default results/spotsim.db)\n\n")
execute_process(COMMAND ${HELP2MAN} --no-info --no-discard-stderr
                        --name "simulate and optimize services on EC2 Spot capacity"
                        --include ${include} --output ${OUT} ${BIN}
                RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "help2man failed (${rc})")
endif()
