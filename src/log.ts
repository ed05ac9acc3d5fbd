// One consola instance for the whole program; logs go to stderr only (stdout carries data).
import { createConsola } from "consola";

export const logger = createConsola({ stdout: process.stderr, stderr: process.stderr });
