"""People of the register as officers see them: masked, and in full only for the officer
acting on the case, every full view logged (第二十一条)."""
