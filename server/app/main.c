/* SPDX-License-Identifier: MIT */
/*
 * main: the lifecycle only. Parse the configuration, then either print help
 * or the version, run `check`, or serve: block SIGINT/SIGTERM (so every
 * worker thread inherits the mask), start up, listen, start the reloader
 * and the file watcher, re-index on SIGHUP (what changed) and SIGUSR1
 * (everything), and on SIGINT/SIGTERM stop cleanly and exit 0.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "skilld/app/app.h"
#include "skilld/app/cli.h"
#include "skilld/base/config.h"
#include "skilld/store/db.h"
#include "skilld/transport/http.h"
#include "skilld/indexing/reload.h"
#include "skilld/indexing/watch.h"

static int serve(const struct config *cfg)
{
	struct app app;
	sigset_t set;
	char err[512];
	unsigned left;
	int sig = 0;

	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGUSR1);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);

	if (app_init_serving(&app, cfg, stderr, err, sizeof(err)) != 0) {
		fprintf(stderr, "skilld: %s\n", err);
		app_fini(&app);
		return 1;
	}
	if (http_start(&app, err, sizeof(err)) != 0) {
		fprintf(stderr, "skilld: %s\n", err);
		app_fini(&app);
		return 1;
	}
	if (!app.token && strcmp(cfg->bind, "127.0.0.1") != 0 && strcmp(cfg->bind, "::1") != 0)
		log_msg(&app.log, LOG_WARN, "listening on %s without --token-file: anyone who can "
			"reach this address can read every skill", cfg->bind);
	log_msg(&app.log, LOG_INFO, "listening on http://%s%s%s:%u/ (%u threads)",
		strchr(cfg->bind, ':') ? "[" : "", cfg->bind, strchr(cfg->bind, ':') ? "]" : "",
		app.port, cfg->threads);
	if (app_reload_start(&app, err, sizeof(err)) != 0)
		log_msg(&app.log, LOG_ERROR, "%s: the index will not be refreshed", err);
	while (sigwait(&set, &sig) == 0 && (sig == SIGHUP || sig == SIGUSR1)) {
		if (sig == SIGUSR1) {
			log_msg(&app.log, LOG_INFO, "SIGUSR1 received: re-indexing every skill");
			reload_want_full(app.reloader);
		} else {
			log_msg(&app.log, LOG_INFO, "SIGHUP received: re-indexing what changed");
		}
		reload_request(app.reloader, sig == SIGUSR1 ? "SIGUSR1" : "SIGHUP");
	}
	log_msg(&app.log, LOG_INFO, "%s received, stopping: no new connections, up to %us for "
		"requests in flight", sig == SIGINT ? "SIGINT" : "SIGTERM", cfg->shutdown_timeout);
	watch_stop(app.watcher);
	app.watcher = NULL;
	left = http_drain(&app, cfg->shutdown_timeout * 1000u);
	if (left)
		log_msg(&app.log, LOG_WARN, "%u requests still in flight after %us: closing them",
			left, cfg->shutdown_timeout);
	http_stop(&app);
	app_reload_stop(&app);
	app_fini(&app);
	return 0;
}

int main(int argc, char **argv)
{
	struct config cfg;
	char err[512];
	int status;

	if (config_parse(&cfg, argc, argv, config_getenv, err, sizeof(err)) != 0) {
		fprintf(stderr, "skilld: %s\n", err);
		config_fini(&cfg);
		return 2;
	}
	db_configure_library();
	switch (cfg.command) {
	case CMD_HELP:
		fputs(config_usage(), stdout);
		status = 0;
		break;
	case CMD_VERSION:
		printf("skilld %s\n", SKILLD_VERSION);
		status = 0;
		break;
	case CMD_CHECK:
		status = cli_check(&cfg, stdout, stderr);
		break;
	case CMD_BACKUP:
		status = cli_backup(&cfg, stdout, stderr);
		break;
	case CMD_SERVE:
	default:
		status = serve(&cfg);
		break;
	}
	config_fini(&cfg);
	return status;
}
