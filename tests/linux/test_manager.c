/*
 * libtenon's manager API and the tenon partition command on the host,
 * against the fake manager function of fake.h: finding it (and only it),
 * the checks of what its registers say, commands and their errors, the
 * image checks before a load, and the HM log's order and lost events.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fake.h"
#include "harness.h"
#include "tenon-cmd.h"
#include "tenon-manager.h"

static struct fake fk;

static struct tn_manager *mgr_ok(void)
{
	struct tn_manager *m = NULL;
	int err = tn_manager_open(&m);

	if (err)
		test_fail(__FILE__, __LINE__, "manager open: %d: %s", err,
			  tn_last_error());
	return m;
}

#define REG(m, off) (*(volatile uint32_t *)((m)->bar0 + (off)))

/* An image file: the arm64 magic at 0x38 (unless bad), size bytes. */
static char *image_file(size_t size, int bad)
{
	static char path[300];
	char *buf = calloc(1, size);
	int fd;

	snprintf(path, sizeof(path), "%s/image", fk.root);
	if (!buf)
		abort();
	if (!bad)
		memcpy(buf + 0x38, "ARM\x64", 4);
	for (size_t i = 0x40; i < size; i++)
		buf[i] = (char)(i * 7);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (fd < 0 || write(fd, buf, size) != (ssize_t)size)
		abort();
	close(fd);
	free(buf);
	return path;
}

TEST(manager_open_without_a_manager_function_gives_enoent)
{
	struct tn_manager *m;

	fake_init(&fk, 1);
	/* A channel function is not the manager's. */
	fake_add(&fk, "setpoint", TN_CHAN_QUEUE, TN_CHAN_WRITER, 64, 16, 0, 1);
	EXPECT_EQ(tn_manager_open(&m), -ENOENT);
	EXPECT(strstr(tn_last_error(), "no manager function"));
	fake_fini(&fk);
}

TEST(channel_list_ignores_the_manager_function)
{
	struct tn_channel_info info[4];

	fake_init(&fk, 1);
	fake_add(&fk, "setpoint", TN_CHAN_QUEUE, TN_CHAN_WRITER, 64, 16, 0, 1);
	fake_add_manager(&fk, 2, 1, 1, 8);
	EXPECT_EQ(tn_channel_list(info, 4), 1);
	EXPECT(!strcmp(info[0].name, "setpoint"));
	fake_fini(&fk);
}

TEST(manager_open_of_another_version_gives_eproto)
{
	struct tn_manager *m;
	struct fake_mgr *fm;

	fake_init(&fk, 1);
	fm = fake_add_manager(&fk, 2, 1, 1, 8);
	REG(fm, TN_MGR_REG_VERSION) = TN_HM_ABI_VERSION + 1;
	EXPECT_EQ(tn_manager_open(&m), -EPROTO);
	EXPECT(strstr(tn_last_error(), "version 2"));
	fake_fini(&fk);
}

TEST(manager_open_of_impossible_registers_gives_eproto)
{
	struct tn_manager *m;
	struct fake_mgr *fm;

	fake_init(&fk, 1);
	fm = fake_add_manager(&fk, 2, 1, 1, 8);
	REG(fm, TN_MGR_REG_SELF) = 2;
	EXPECT_EQ(tn_manager_open(&m), -EPROTO);
	REG(fm, TN_MGR_REG_SELF) = 0;
	REG(fm, TN_MGR_REG_NPARTITIONS) = 5;
	EXPECT_EQ(tn_manager_open(&m), -EPROTO);
	REG(fm, TN_MGR_REG_NPARTITIONS) = 2;
	REG(fm, TN_MGR_REG_LOG_DEPTH) = 0;
	EXPECT_EQ(tn_manager_open(&m), -EPROTO);
	fake_fini(&fk);
}

TEST(partition_info_gives_every_register)
{
	struct tn_partition_info p;
	struct tn_manager_info mi;
	struct tn_manager *m;
	struct fake_mgr *fm;

	fake_init(&fk, 1);
	fm = fake_add_manager(&fk, 2, 1, 1, 8);
	fm->parts[0] =
	    (struct fake_part){"rt", TN_PART_PARKED, 1,	   2,	 0x5, 3,
			       7,    65536,	     5000, 4096, 11,  1 << 21};
	m = mgr_ok();
	tn_manager_info(m, &mi);
	EXPECT_EQ(mi.self, 1);
	EXPECT_EQ(mi.npartitions, 2);
	EXPECT_EQ(mi.permitted, 1);
	EXPECT_EQ(mi.load_max, 4 << 20);
	EXPECT_EQ(tn_manager_partition(m, 0, &p), 0);
	EXPECT(!strcmp(p.name, "rt"));
	EXPECT_EQ(p.state, TN_PART_PARKED);
	EXPECT_EQ(p.cpus, 5);
	EXPECT_EQ(p.restarts, 3);
	EXPECT_EQ(p.faults, 7);
	EXPECT_EQ(p.watchdog_us, 5000);
	EXPECT_EQ(p.image_size, 4096);
	EXPECT_EQ(p.events, 11);
	EXPECT_EQ(tn_manager_partition(m, 2, &p), -EINVAL);
	tn_manager_close(m);
	fake_fini(&fk);
}

TEST(partition_name_without_nul_or_with_odd_bytes_gives_eproto)
{
	struct tn_partition_info p;
	struct tn_manager *m;
	struct fake_mgr *fm;

	fake_init(&fk, 1);
	fm = fake_add_manager(&fk, 2, 1, 1, 8);
	memset(fm->parts[0].name, 'a', 16);
	m = mgr_ok();
	EXPECT_EQ(tn_manager_partition(m, 0, &p), -EPROTO);
	EXPECT(strstr(tn_last_error(), "no partition name"));
	snprintf(fm->parts[0].name, 16, "r\033t");
	EXPECT_EQ(tn_manager_partition(m, 0, &p), -EPROTO);
	memset(fm->parts[0].name, 0, 16);
	EXPECT_EQ(tn_manager_partition(m, 0, &p), -EPROTO);
	tn_manager_close(m);
	fake_fini(&fk);
}

TEST(partition_of_impossible_state_or_cpus_gives_eproto)
{
	struct tn_partition_info p;
	struct tn_manager *m;
	struct fake_mgr *fm;

	fake_init(&fk, 1);
	fm = fake_add_manager(&fk, 2, 1, 1, 8);
	m = mgr_ok();
	fm->parts[0].state = 9;
	EXPECT_EQ(tn_manager_partition(m, 0, &p), -EPROTO);
	fm->parts[0].state = TN_PART_RUNNING;
	fm->parts[0].cpus = 0x3; /* two CPUs for one vCPU */
	EXPECT_EQ(tn_manager_partition(m, 0, &p), -EPROTO);
	fm->parts[0].cpus = 0x1;
	EXPECT_EQ(tn_manager_partition(m, 0, &p), 0);
	tn_manager_close(m);
	fake_fini(&fk);
}

TEST(find_takes_a_name_or_an_index)
{
	struct tn_manager *m;

	fake_init(&fk, 1);
	fake_add_manager(&fk, 3, 1, 1, 8);
	m = mgr_ok();
	EXPECT_EQ(tn_manager_find(m, "part2"), 2);
	EXPECT_EQ(tn_manager_find(m, "0"), 0);
	EXPECT_EQ(tn_manager_find(m, "3"), -ENOENT);
	EXPECT_EQ(tn_manager_find(m, "nosuch"), -ENOENT);
	EXPECT(strstr(tn_last_error(), "no partition 'nosuch'"));
	tn_manager_close(m);
	fake_fini(&fk);
}

TEST(command_writes_op_and_target_and_waits_while_in_progress)
{
	struct tn_manager *m;
	struct fake_mgr *fm;

	fake_init(&fk, 1);
	fm = fake_add_manager(&fk, 3, 1, 1, 8);
	fm->script[0] = fm->script[1] = fm->script[2] = -EINPROGRESS;
	fm->script[3] = 0;
	fm->nscript = 4;
	m = mgr_ok();
	EXPECT_EQ(tn_manager_command(m, TN_MGR_OP_RESTART, 2, 1000), 0);
	EXPECT_EQ(fm->cmds, 1);
	EXPECT_EQ(fm->last_cmd, TN_MGR_OP_RESTART | 2 << 8);
	EXPECT_EQ(fm->at, 4);
	tn_manager_close(m);
	fake_fini(&fk);
}

TEST(command_reports_the_hypervisors_errno_in_words)
{
	struct tn_manager *m;
	struct fake_mgr *fm;

	fake_init(&fk, 1);
	fm = fake_add_manager(&fk, 2, 1, 0, 8);
	fm->script[0] = -EPERM;
	fm->nscript = 1;
	m = mgr_ok();
	EXPECT_EQ(tn_manager_command(m, TN_MGR_OP_STOP, 0, 1000), -EPERM);
	EXPECT(!strcmp(tn_last_error(), "this partition is not the manager"));
	fm->script[0] = -EALREADY;
	EXPECT_EQ(tn_manager_command(m, TN_MGR_OP_START, 0, 1000), -EALREADY);
	EXPECT(strstr(tn_last_error(), "already"));
	fm->script[0] = 5; /* no errno */
	EXPECT_EQ(tn_manager_command(m, TN_MGR_OP_START, 0, 1000), -EPROTO);
	EXPECT(strstr(tn_manager_strerror(-ENOEXEC), "arm64 Image header"));
	EXPECT(strstr(tn_manager_strerror(-EFBIG), "larger"));
	tn_manager_close(m);
	fake_fini(&fk);
}

TEST(command_of_bad_op_or_target_is_refused_before_the_hypervisor)
{
	struct tn_manager *m;
	struct fake_mgr *fm;

	fake_init(&fk, 1);
	fm = fake_add_manager(&fk, 2, 1, 1, 8);
	m = mgr_ok();
	EXPECT_EQ(tn_manager_command(m, 9, 0, 1000), -EINVAL);
	EXPECT_EQ(tn_manager_command(m, TN_MGR_OP_STOP, 2, 1000), -EINVAL);
	EXPECT_EQ(fm->cmds, 0);
	tn_manager_close(m);
	fake_fini(&fk);
}

TEST(command_still_in_progress_at_the_timeout_gives_etimedout)
{
	struct tn_manager *m;
	struct fake_mgr *fm;

	fake_init(&fk, 1);
	fm = fake_add_manager(&fk, 2, 1, 1, 8);
	fm->script[0] = -EINPROGRESS;
	fm->nscript = 1;
	m = mgr_ok();
	EXPECT_EQ(tn_manager_command(m, TN_MGR_OP_STOP, 0, 50), -ETIMEDOUT);
	EXPECT(strstr(tn_last_error(), "still in progress after 50 ms"));
	tn_manager_close(m);
	fake_fini(&fk);
}

TEST(load_checks_the_file_before_the_hypervisor_sees_it)
{
	struct tn_manager *m;
	struct fake_mgr *fm;
	char missing[320];

	fake_init(&fk, 1);
	fm = fake_add_manager(&fk, 2, 1, 1, 8);
	m = mgr_ok();
	snprintf(missing, sizeof(missing), "%s/nosuch", fk.root);
	EXPECT_EQ(tn_manager_load(m, 0, missing, 1000), -ENOENT);
	EXPECT_EQ(tn_manager_load(m, 0, image_file(8192, 1), 1000), -ENOEXEC);
	EXPECT(strstr(tn_last_error(), "not an arm64 Image"));
	fm->parts[0].image_max = 4096;
	EXPECT_EQ(tn_manager_load(m, 0, image_file(8192, 0), 1000), -EFBIG);
	EXPECT(strstr(tn_last_error(), "8192 bytes, more than the 4096"));
	EXPECT_EQ(fm->cmds, 0);
	tn_manager_close(m);
	fake_fini(&fk);
}

TEST(load_copies_the_image_into_the_window_then_loads)
{
	struct tn_manager *m;
	struct fake_mgr *fm;
	const char *file;
	char *want = malloc(10000);
	int fd;

	fake_init(&fk, 1);
	fm = fake_add_manager(&fk, 2, 1, 1, 8);
	m = mgr_ok();
	file = image_file(10000, 0);
	fd = open(file, O_RDONLY);
	EXPECT(want && read(fd, want, 10000) == 10000);
	close(fd);
	EXPECT_EQ(tn_manager_load(m, 0, file, 1000), 0);
	EXPECT_EQ(fm->load_size, 10000);
	EXPECT_EQ(fm->last_cmd, TN_MGR_OP_LOAD | 0 << 8);
	EXPECT(!memcmp((const void *)fm->window, want, 10000));
	free(want);
	tn_manager_close(m);
	fake_fini(&fk);
}

TEST(load_without_a_window_gives_eperm)
{
	struct tn_manager *m;

	fake_init(&fk, 1);
	fake_add_manager(&fk, 2, 1, 0, 8);
	m = mgr_ok();
	EXPECT_EQ(tn_manager_load(m, 0, image_file(8192, 0), 1000), -EPERM);
	tn_manager_close(m);
	fake_fini(&fk);
}

TEST(log_fetch_gives_the_entries_in_order)
{
	struct tn_hm_entry e[8];
	struct tn_manager *m;
	struct fake_mgr *fm;
	uint64_t cursor = 0, lost = 0;

	fake_init(&fk, 1);
	fm = fake_add_manager(&fk, 2, 1, 1, 8);
	m = mgr_ok();
	EXPECT_EQ(tn_manager_log_fetch(m, &cursor, e, 8, &lost), 0);
	fake_mgr_event(fm, 0, 0, TN_HM_EV_WATCHDOG, TN_HM_ACT_COLD_RESTART, 0,
		       0);
	fake_mgr_event(fm, 1, TN_HM_VCPU_NONE, TN_HM_EV_MANAGER, TN_HM_ACT_LOG,
		       0, TN_MGR_OP_STOP);
	fake_mgr_event(fm, 0, 0, TN_HM_EV_MEM_FAULT, TN_HM_ACT_STOP,
		       TN_HM_F_LIMIT, 0x1234);
	EXPECT_EQ(tn_manager_log_fetch(m, &cursor, e, 2, &lost), 2);
	EXPECT_EQ(e[0].seq, 0);
	EXPECT_EQ(e[0].event, TN_HM_EV_WATCHDOG);
	EXPECT_EQ(e[1].seq, 1);
	EXPECT_EQ(e[1].detail, TN_MGR_OP_STOP);
	EXPECT_EQ(tn_manager_log_fetch(m, &cursor, e, 8, &lost), 1);
	EXPECT_EQ(e[0].detail, 0x1234);
	EXPECT_EQ(e[0].flags, TN_HM_F_LIMIT);
	EXPECT_EQ(cursor, 3);
	EXPECT_EQ(lost, 0);
	tn_manager_close(m);
	fake_fini(&fk);
}

TEST(log_fetch_counts_events_overwritten_before_the_read)
{
	struct tn_hm_entry e[16];
	struct tn_manager *m;
	struct fake_mgr *fm;
	uint64_t cursor = 0, lost = 0;

	fake_init(&fk, 1);
	fm = fake_add_manager(&fk, 2, 1, 1, 8);
	for (int i = 0; i < 20; i++)
		fake_mgr_event(fm, 0, 0, TN_HM_EV_TRAP, TN_HM_ACT_LOG, 0,
			       (uint64_t)i);
	m = mgr_ok();
	EXPECT_EQ(tn_manager_log_fetch(m, &cursor, e, 16, &lost), 8);
	EXPECT_EQ(lost, 12);
	EXPECT_EQ(e[0].seq, 12);
	EXPECT_EQ(e[7].seq, 19);
	EXPECT_EQ(cursor, 20);
	tn_manager_close(m);
	fake_fini(&fk);
}

/* While entry 13 is being read, ten more events overwrite it. */
static void burst(struct fake_mgr *fm, uint64_t seq)
{
	if (seq != 13)
		return;
	for (int i = 0; i < 10; i++)
		fake_mgr_event(fm, 1, 0, TN_HM_EV_FATAL, TN_HM_ACT_LOG, 0, 0);
}

TEST(log_fetch_counts_events_overwritten_while_it_reads)
{
	struct tn_hm_entry e[32];
	struct tn_manager *m;
	struct fake_mgr *fm;
	uint64_t cursor = 12, lost = 0;

	fake_init(&fk, 1);
	fm = fake_add_manager(&fk, 2, 1, 1, 8);
	for (int i = 0; i < 20; i++)
		fake_mgr_event(fm, 0, 0, TN_HM_EV_TRAP, TN_HM_ACT_LOG, 0, 0);
	fm->before_latch = burst;
	m = mgr_ok();
	/* 12 read, 13 asked when 22 is the oldest: 9 lost, 22..29 read. */
	EXPECT_EQ(tn_manager_log_fetch(m, &cursor, e, 32, &lost), 9);
	EXPECT_EQ(e[0].seq, 12);
	EXPECT_EQ(e[1].seq, 22);
	EXPECT_EQ(lost, 9);
	EXPECT_EQ(cursor, 30);
	tn_manager_close(m);
	fake_fini(&fk);
}

TEST(log_entry_out_of_range_gives_eproto)
{
	struct tn_hm_entry e[4];
	struct tn_manager *m;
	struct fake_mgr *fm;
	uint64_t cursor = 0, lost = 0;

	fake_init(&fk, 1);
	fm = fake_add_manager(&fk, 2, 1, 1, 8);
	fake_mgr_event(fm, 2, 0, TN_HM_EV_TRAP, TN_HM_ACT_LOG, 0, 0);
	m = mgr_ok();
	EXPECT_EQ(tn_manager_log_fetch(m, &cursor, e, 4, &lost), -EPROTO);
	EXPECT(strstr(tn_last_error(), "partition 2"));
	fake_mgr_event(fm, 0, 0, TN_HM_NR_EVENTS, TN_HM_ACT_LOG, 0, 0);
	cursor = 1;
	EXPECT_EQ(tn_manager_log_fetch(m, &cursor, e, 4, &lost), -EPROTO);
	tn_manager_close(m);
	fake_fini(&fk);
}

/* Runs tenon partition ARGS with its output in buf; its exit status. */
static int run_partition(char *buf, size_t size, int argc, char **argv)
{
	char path[320];
	int fd, saved, rc;
	ssize_t n;

	snprintf(path, sizeof(path), "%s/out", fk.root);
	fflush(stdout);
	fflush(stderr);
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	saved = dup(1);
	dup2(fd, 1);
	dup2(fd, 2);
	rc = tenon_cmd_partition(argc, argv);
	fflush(stdout);
	fflush(stderr);
	dup2(saved, 1);
	close(saved);
	n = pread(fd, buf, size - 1, 0);
	buf[n > 0 ? n : 0] = 0;
	close(fd);
	return rc;
}

TEST(cmd_partition_list_shows_one_row_per_partition)
{
	char out[4096], *argv[] = {"partition", "list", NULL};
	struct fake_mgr *fm;

	fake_init(&fk, 1);
	fm = fake_add_manager(&fk, 3, 1, 1, 8);
	fm->parts[0] = (struct fake_part){
	    "rt", TN_PART_RUNNING, 1, 1, 0x1, 2, 1, 65536, 10000, 65536, 5, 0};
	fm->parts[1] =
	    (struct fake_part){"linux", TN_PART_RUNNING, 2, 3,	     0xe, 0,
			       0,	524288,		 0, 1 << 20, 0,	  0};
	fm->parts[2] = (struct fake_part){
	    "other", TN_PART_PARKED, 1, 2, 0x30, 0, 0, 1024, 1500, 0, 1, 0};
	EXPECT_EQ(run_partition(out, sizeof(out), 2, argv), 0);
	EXPECT(strstr(out, "INDEX NAME"));
	EXPECT(strstr(out, "\n0     rt              rtos  running   0      "
			   "        2      1      5    10 ms      65536\n"));
	EXPECT(strstr(out, "\n1     linux           linux running   1-3"));
	EXPECT(strstr(out, "(this one)"));
	EXPECT(strstr(out, "\n2     other           rtos  parked    4,5"));
	EXPECT(strstr(out, "1500 us"));
	EXPECT(strstr(out, "this partition is the manager"));
	fake_fini(&fk);
}

TEST(cmd_partition_reports_errors_and_usage)
{
	char out[4096];
	char *stop[] = {"partition", "stop", "rt", NULL};
	char *bad[] = {"partition", "frob", "rt", NULL};
	char *noname[] = {"partition", "restart", NULL};
	struct fake_mgr *fm;

	fake_init(&fk, 1);
	fm = fake_add_manager(&fk, 2, 1, 0, 8);
	snprintf(fm->parts[0].name, 16, "rt");
	fm->script[0] = -EPERM;
	fm->nscript = 1;
	EXPECT_EQ(run_partition(out, sizeof(out), 3, stop), 1);
	/* Told by the function itself, before any request is made. */
	EXPECT(strstr(out, "tenon partition: this partition (1) is not the "
			   "manager"));
	EXPECT_EQ(run_partition(out, sizeof(out), 3, bad), 2);
	EXPECT(strstr(out, "unknown subcommand 'frob'"));
	EXPECT_EQ(run_partition(out, sizeof(out), 2, noname), 2);
	EXPECT(strstr(out, "restart needs NAME"));
	fake_fini(&fk);
}
