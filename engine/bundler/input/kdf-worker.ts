// The worker thread of readUploadsOffThread: runs the KDF jobs of one request in order under one
// WorkBudget and posts each job's findings as it finishes, so a timeout keeps what was done.
import { parentPort, workerData } from 'node:worker_threads';
import { WorkBudget } from './budget.ts';
import { runKdfJob } from './objects.ts';
import { toWire, type WorkerInput } from './offthread.ts';

const { jobs, maxKdfWork } = workerData as WorkerInput;
const budget = new WorkBudget(maxKdfWork);
for (const job of jobs) parentPort!.postMessage(runKdfJob(job, budget).map(toWire));
