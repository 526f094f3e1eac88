import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import Fastify from 'fastify';
import { dashboardDir, notBuiltMessage, registerDashboard } from './dashboard.js';

describe('dashboard', () => {
  it('finds the build in apps/dashboard/dist, or where BAI_DASHBOARD_DIR says', () => {
    assert.match(dashboardDir({}), /[/\\]apps[/\\]dashboard[/\\]dist$/);
    assert.equal(dashboardDir({ BAI_DASHBOARD_DIR: '/srv/dashboard' }), '/srv/dashboard');
  });

  it('answers GET / with 503 DASHBOARD_NOT_BUILT naming the command when the build is missing', async () => {
    const app = Fastify();
    const dir = '/nonexistent/bai-dashboard-dist';
    app.get('/', registerDashboard(app, dir));
    const res = await app.inject({ method: 'GET', url: '/' });
    assert.equal(res.statusCode, 503);
    assert.deepEqual(res.json(), { code: 'DASHBOARD_NOT_BUILT', message: notBuiltMessage(dir) });
    assert.match(res.json().message, /npm run build -w apps\/dashboard/);
    // Assets of a missing build are plain 404s, never a directory listing or the index.
    assert.equal((await app.inject({ method: 'GET', url: '/dashboard/app.js' })).statusCode, 404);
    await app.close();
  });
});
