// The standalone Trainloop debug adapter: `node dist/debugAdapter.js` speaks DAP on stdin/stdout (tests, other editors).
import { DebugSession } from '@vscode/debugadapter';
import { TrainloopSession } from './trainloopSession';

DebugSession.run(TrainloopSession);
