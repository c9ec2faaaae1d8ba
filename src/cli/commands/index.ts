import type { Command } from 'commander';
import type { CliContext } from '../context.js';
import { registerHintsCommands } from './hints.js';
import { registerRecordsCommands } from './records.js';
import { registerDataCommands } from './data.js';
import { registerRunCommand } from './run.js';
import { registerTuiCommand } from './tui.js';
import { registerBenchCommand } from './bench.js';
import { registerChainCommand } from './chain.js';
import { registerCalibrateCommand } from './calibrate.js';
import { registerDemoCommand } from './demo.js';
import { registerLogCommands } from './log.js';
import { registerContainersCommands } from './containers.js';
import { registerDoctorCommand } from './doctor.js';
import { registerCheckCommand } from './check.js';
import { registerVerifyCommand } from './verify.js';
import { registerJudgeCommand } from './judge.js';
import { registerIdeasCommand } from './ideas.js';
import { registerDistanceCommand } from './distance.js';
import { registerReportCommand } from './report.js';
import { registerTrajectoryCommand } from './trajectory.js';
import { registerAgentsCommands } from './agents.js';
import { registerViewCommand } from './view.js';

/** Every command registers itself here; one file per command group under src/cli/commands/. */
export function registerCommands(program: Command, ctx: CliContext): void {
  registerRecordsCommands(program, ctx);
  registerHintsCommands(program, ctx);
  registerDataCommands(program, ctx);
  registerRunCommand(program, ctx);
  registerTuiCommand(program, ctx);
  registerBenchCommand(program, ctx);
  registerChainCommand(program, ctx);
  registerCalibrateCommand(program, ctx);
  registerDemoCommand(program, ctx);
  registerLogCommands(program, ctx);
  registerContainersCommands(program, ctx);
  registerDoctorCommand(program, ctx);
  registerCheckCommand(program, ctx);
  registerVerifyCommand(program, ctx);
  registerJudgeCommand(program, ctx);
  registerIdeasCommand(program, ctx);
  registerDistanceCommand(program, ctx);
  registerReportCommand(program, ctx);
  registerTrajectoryCommand(program, ctx);
  registerAgentsCommands(program, ctx);
  registerViewCommand(program, ctx);
}
