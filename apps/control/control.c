/*
 * control: the default system's real-time job. A PID loop at 1 kHz holds
 * a simulated heater (a thermal mass heated by up to 100 W and losing
 * heat to a 20 C room) at a setpoint, while latmus measures timer
 * latency beside it as it does alone. Linux drives it through channels:
 *
 *   setpoint (queue, Linux -> rt)   a temperature in C, as text ("42.5"),
 *                                   taken at the next period
 *   state    (sample, rt -> Linux)  the loop's state, one text line,
 *                                   published every 10 ms
 *   log      (stream, rt -> Linux)  a line per setpoint taken or refused
 *
 * so that `tenon send setpoint 42` then `tenon sample state` on Linux
 * moves the heater and shows it getting there. Without the channels (the
 * image alone on the machine) the loop holds the -s setpoint.
 *
 *   control [-s SETPOINT] [latmus options]
 *
 * The loop never waits for Linux: it takes setpoints without blocking,
 * so no doorbell interrupts the real-time CPU, and publishes its state
 * without blocking (a sample never makes its writer wait). latmus keeps
 * the top priority (90), the loop runs below it (80).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <tenon/channel.h>
#include <tenon/tenon.h>

int latmus_main(int argc, char *argv[]);

#define PERIOD TN_MSEC(1)
#define PUBLISH_EVERY 10 /* periods */
#define REPORT_EVERY 10000
#define LOOP_PRIORITY 80
#define SETPOINT_MAX 256 /* the longest setpoint message taken */
#define SETPOINTS_PER_PERIOD 4

/* The plant: C dT/dt = P_MAX u - K_LOSS (T - T_ROOM). Time constant 5 s. */
#define T_ROOM 20.0
#define P_MAX 100.0   /* W */
#define K_LOSS 2.0    /* W/K */
#define HEAT_CAP 10.0 /* J/K */
#define T_LIMIT 70.0  /* what full power reaches: T_ROOM + P_MAX / K_LOSS */

/* The controller: PI with derivative on the measurement, anti-windup. */
#define KP 0.1
#define KI 0.05
#define KD 0.01

struct loop {
	double setpoint, temp, power; /* C, C, 0..1 */
	double integral, last_temp;
	unsigned long periods, overruns, setpoints, rejected;
	tn_time_t worst_late;
};

static struct loop loop = {
    .setpoint = 40.0, .temp = T_ROOM, .last_temp = T_ROOM};
static struct tn_channel setpoint_ch, state_ch, log_ch;
static bool have_setpoint, have_state, have_log;
static unsigned long log_dropped; /* lines the log had no room for */

static double clamp(double v, double lo, double hi)
{
	return v < lo ? lo : v > hi ? hi : v;
}

/* One period of the plant, with the power chosen last period. */
static void plant_step(struct loop *l, double dt)
{
	l->temp +=
	    dt * (P_MAX * l->power - K_LOSS * (l->temp - T_ROOM)) / HEAT_CAP;
}

static void controller_step(struct loop *l, double dt)
{
	double err = l->setpoint - l->temp;
	double deriv = -(l->temp - l->last_temp) / dt;
	double u = KP * err + l->integral + KD * deriv;

	l->last_temp = l->temp;
	/* Integrate only while the output is not saturated, or unwinding. */
	if ((u < 1.0 || err < 0) && (u > 0.0 || err > 0))
		l->integral = clamp(l->integral + KI * err * dt, -1.0, 1.0);
	l->power = clamp(u, 0.0, 1.0);
}

/*
 * A setpoint as text: a decimal number of degrees ("42", "42.5"), with
 * blanks around it, from T_ROOM to T_LIMIT.
 */
static int parse_setpoint(const char *text, double *out)
{
	double v = 0, scale = 1;
	bool digits = false, point = false;
	const char *p = text;

	while (*p == ' ' || *p == '\t')
		p++;
	for (; (*p >= '0' && *p <= '9') || (*p == '.' && !point); p++) {
		if (*p == '.') {
			point = true;
			continue;
		}
		digits = true;
		if (point)
			scale /= 10;
		v = point ? v + (*p - '0') * scale : v * 10 + (*p - '0');
		if (v > 1e6)
			return -ERANGE;
	}
	while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
		p++;
	if (!digits || *p)
		return -EINVAL;
	if (v < T_ROOM || v > T_LIMIT)
		return -ERANGE;
	*out = v;
	return 0;
}

/* A line on the log stream, if there is room for all of it: never waits. */
static void log_line(const char *fmt, double v)
{
	char line[96];
	int n;

	if (!have_log)
		return;
	n = snprintf(line, sizeof(line), fmt, (double)tn_clock_read() / 1e9, v);
	if (tn_channel_trywrite(&log_ch, line, (size_t)n) != n)
		log_dropped++; /* a part may have gone: the reader sees it cut
				*/
}

/*
 * Takes what Linux sent since the last period: a few messages at most,
 * so that a flood of setpoints cannot stretch the period.
 */
static void take_setpoints(struct loop *l)
{
	static char msg[SETPOINT_MAX + 1];

	for (int i = 0; i < SETPOINTS_PER_PERIOD; i++) {
		int n = tn_channel_tryreceive(&setpoint_ch, msg, SETPOINT_MAX);
		double v;

		if (n == -EAGAIN)
			break;
		if (n < 0 || (msg[n] = 0, parse_setpoint(msg, &v))) {
			/* A corrupt message, or not a setpoint. */
			l->rejected++;
			log_line("%.3f: setpoint refused (%.0f so far); a "
				 "temperature from 20 to 70 C\n",
				 (double)l->rejected);
			continue;
		}
		l->setpoint = v;
		l->setpoints++;
		log_line("%.3f: setpoint %.2f C\n", v);
	}
}

static void publish_state(const struct loop *l, tn_time_t now)
{
	char line[200];
	int n =
	    snprintf(line, sizeof(line),
		     "t=%.3f setpoint=%.2f temp=%.3f power=%.1f%% "
		     "periods=%lu overruns=%lu setpoints=%lu rejected=%lu "
		     "worst_late_us=%.1f",
		     (double)now / 1e9, l->setpoint, l->temp, l->power * 100.0,
		     l->periods, l->overruns, l->setpoints, l->rejected,
		     (double)l->worst_late / 1e3);

	tn_channel_publish(&state_ch, line, (size_t)n);
}

static void *control_loop(void *arg)
{
	const double dt = (double)PERIOD / 1e9;
	tn_time_t next = tn_clock_read() + PERIOD;

	(void)arg;
	for (;;) {
		tn_time_t now, late;

		tn_sleep_until(next);
		now = tn_clock_read();
		late = now - next;
		if (late > loop.worst_late)
			loop.worst_late = late;
		/* Periods missed whole are overruns: the phase is kept. */
		while (now - next >= PERIOD) {
			next += PERIOD;
			loop.overruns++;
		}
		next += PERIOD;
		loop.periods++;

		if (have_setpoint)
			take_setpoints(&loop);
		plant_step(&loop, dt);
		controller_step(&loop, dt);
		if (have_state && loop.periods % PUBLISH_EVERY == 0)
			publish_state(&loop, now);
		if (loop.periods % REPORT_EVERY == 0)
			printf("control: setpoint %.1f C, temperature %.2f C, "
			       "power %.0f%%, %lu overruns\n",
			       loop.setpoint, loop.temp, loop.power * 100.0,
			       loop.overruns);
	}
	return NULL;
}

static bool open_channel(struct tn_channel *ch, const char *name, uint32_t kind,
			 uint32_t role, uint32_t max)
{
	struct tn_channel_info info;
	int ret = tn_channel_open(ch, name, NULL);

	if (ret) {
		if (ret != -ENOENT)
			printf("control: channel %s: error %d\n", name, ret);
		return false;
	}
	tn_channel_info(ch, &info);
	if (info.kind != kind || info.role != role || info.msg_size > max) {
		printf("control: channel %s: expected a %s this partition "
		       "%s, of at most %u bytes\n",
		       name,
		       kind == TN_CHAN_QUEUE	? "queue"
		       : kind == TN_CHAN_SAMPLE ? "sample"
						: "stream",
		       role == TN_CHAN_READER ? "reads" : "writes",
		       (unsigned)max);
		tn_channel_close(ch);
		return false;
	}
	return true;
}

int tn_main(int argc, char *argv[])
{
	static struct tn_thread t; /* runs on past main's return */
	struct tn_thread_attr attr;
	int ret;

	if (argc > 2 && !strcmp(argv[1], "-s")) {
		if (parse_setpoint(argv[2], &loop.setpoint)) {
			fprintf(stderr,
				"control: -s %s: a temperature from "
				"%.0f to %.0f C\n",
				argv[2], T_ROOM, T_LIMIT);
			return 2;
		}
		argv[2] = argv[0];
		argc -= 2;
		argv += 2;
	}
	have_setpoint = open_channel(&setpoint_ch, "setpoint", TN_CHAN_QUEUE,
				     TN_CHAN_READER, SETPOINT_MAX);
	have_state = open_channel(&state_ch, "state", TN_CHAN_SAMPLE,
				  TN_CHAN_WRITER, TN_CHAN_MSG_MAX);
	have_log = open_channel(&log_ch, "log", TN_CHAN_STREAM, TN_CHAN_WRITER,
				TN_CHAN_STREAM_MAX);
	printf("control: heater held at %.1f C by a 1 kHz PID loop; %s\n",
	       loop.setpoint,
	       have_setpoint ? "setpoints from channel setpoint"
			     : "no setpoint channel, fixed setpoint");

	tn_thread_attr_init(&attr);
	attr.name = "control";
	attr.sched.priority = LOOP_PRIORITY;
	ret = tn_thread_create(&t, &attr, control_loop, NULL);
	if (ret) {
		printf("control: cannot start the loop (%d)\n", ret);
		return 1;
	}
	return latmus_main(argc, argv);
}
