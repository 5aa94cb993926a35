import request from 'supertest';

/** A supertest agent signed in through the real login endpoint (cookie kept by the agent). */
export async function signedInAgent(url: string, email: string, password: string) {
  const agent = request.agent(url);
  const response = await agent.post('/api/v1/auth/login').send({ email, password });
  if (response.status !== 200) throw new Error(`login failed for ${email}: ${response.status} ${JSON.stringify(response.body)}`);
  return agent;
}
