// A small meeting backend on the AWS SDK for JavaScript v3, unmodified: the endpoint, region and
// keys come from the environment (fake_chime.environ). It creates a meeting, adds attendees,
// lists them, deletes the meeting and gets it again (NotFound), and prints what it saw as JSON.
// Run by tests/test_server_clients.py with NODE_PATH set to the npm package directory.
"use strict";

const {
  ChimeSDKMeetingsClient,
  CreateMeetingCommand,
  CreateAttendeeCommand,
  ListAttendeesCommand,
  DeleteMeetingCommand,
  GetMeetingCommand,
} = require("@aws-sdk/client-chime-sdk-meetings");

async function main() {
  const client = new ChimeSDKMeetingsClient({});
  const created = await client.send(
    new CreateMeetingCommand({
      ClientRequestToken: "node-backend-0001",
      MediaRegion: process.env.AWS_REGION,
      ExternalMeetingId: "node-standup",
    }),
  );
  const meetingId = created.Meeting.MeetingId;
  const attendees = [];
  const attempts = [];
  for (const user of ["alice", "bob"]) {
    const answer = await client.send(new CreateAttendeeCommand({ MeetingId: meetingId, ExternalUserId: user }));
    attendees.push(answer.Attendee);
    attempts.push(answer.$metadata.attempts);
  }
  const listed = await client.send(new ListAttendeesCommand({ MeetingId: meetingId }));
  await client.send(new DeleteMeetingCommand({ MeetingId: meetingId }));
  let afterDelete = null;
  try {
    await client.send(new GetMeetingCommand({ MeetingId: meetingId }));
  } catch (error) {
    afterDelete = { name: error.name, status: error.$metadata.httpStatusCode };
  }
  console.log(JSON.stringify({ meeting: created.Meeting, attendees, attempts, listed: listed.Attendees, afterDelete }));
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
