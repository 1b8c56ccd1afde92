/* lessons/common/proc.h: read this process's own figures, and the machine's, from /proc
 * (Linux only).
 * Used to measure what a thread, a handle or a coroutine really costs. */
#ifndef COURSE_PROC_H
#define COURSE_PROC_H

/* The value of a "Name:   123 kB" line of /proc/self/status, in KiB (VmRSS, VmSize,
 * Threads for a plain count), or -1 with errno set (ENOENT: no such field). */
long proc_status_field(const char *name);

/* The value of a line of /proc/meminfo, for the whole machine, in KiB (KernelStack: the
 * kernel stacks of every thread), or -1 with errno set (ENOENT: no such field). */
long proc_meminfo_field(const char *name);

/* Number of threads of this process: the entries of /proc/self/task; -1 and errno. */
long proc_thread_count(void);

#endif
