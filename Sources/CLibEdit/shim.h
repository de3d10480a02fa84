// libedit (Debian: libedit-dev), BSD-licensed, through its readline interface.
#include <stdio.h>
#include <editline/readline.h>
