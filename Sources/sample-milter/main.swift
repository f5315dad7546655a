import Glibc
import Milter

// Before anything can start a thread: block libmilter's stop signals (its signal thread waits
// for them) and SIGUSR1 (our stop thread waits for it), so no other thread takes them.
Libmilter.blockStopSignals(also: [SIGUSR1])
SampleMilterCommand.main()
