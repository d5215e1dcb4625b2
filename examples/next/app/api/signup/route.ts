import { track } from '@mbuzz/next/server';

export async function POST(request: Request) {
  const form = await request.formData();
  const plan = form.get('plan');
  // The visitor's identity comes from the mbuzz cookies; delivery runs after the response (after()).
  await track('signup', { plan: typeof plan === 'string' ? plan : undefined });
  return new Response(null, { status: 303, headers: { location: '/welcome' } });
}
