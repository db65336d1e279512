package dev.reef.access.internal;

import java.util.Properties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.mail.SimpleMailMessage;
import org.springframework.mail.javamail.JavaMailSenderImpl;
import org.springframework.stereotype.Component;

/** Plain-text email to people with accounts, through {@code REEF_SMTP_*}; nothing is sent when no server is set. */
@Component
final class Mailer {

  private static final Logger log = LoggerFactory.getLogger(Mailer.class);

  /** {@code REEF_SMTP_*}, {@code REEF_MAIL_FROM}. */
  @ConfigurationProperties("reef.mail")
  record MailProperties(String smtpHost, int smtpPort, String smtpUsername, String smtpPassword,
      boolean smtpStarttls, String from) {}

  private final MailProperties mail;
  private final JavaMailSenderImpl sender;

  Mailer(MailProperties mail) {
    this.mail = mail;
    this.sender = mail.smtpHost() == null || mail.smtpHost().isBlank() ? null : sender(mail);
  }

  boolean available() {
    return sender != null;
  }

  /**
   * Sends one message now.
   *
   * @throws RuntimeException when the server refuses it or cannot be reached (logged here, without the text)
   */
  void send(String to, String subject, String text) {
    if (sender == null) {
      throw new IllegalStateException("no SMTP server is set (REEF_SMTP_HOST)");
    }
    SimpleMailMessage message = new SimpleMailMessage();
    message.setFrom(mail.from());
    message.setTo(to);
    message.setSubject(subject);
    message.setText(text);
    try {
      sender.send(message);
    } catch (RuntimeException e) {
      log.warn("Could not send \"{}\" through {}:{}: {}", subject, mail.smtpHost(), mail.smtpPort(),
          e.getMessage());
      throw e;
    }
  }

  private static JavaMailSenderImpl sender(MailProperties mail) {
    JavaMailSenderImpl sender = new JavaMailSenderImpl();
    sender.setHost(mail.smtpHost());
    sender.setPort(mail.smtpPort());
    if (mail.smtpUsername() != null && !mail.smtpUsername().isBlank()) {
      sender.setUsername(mail.smtpUsername());
      sender.setPassword(mail.smtpPassword());
    }
    Properties props = sender.getJavaMailProperties();
    props.put("mail.smtp.auth", String.valueOf(mail.smtpUsername() != null && !mail.smtpUsername().isBlank()));
    props.put("mail.smtp.starttls.enable", String.valueOf(mail.smtpStarttls()));
    props.put("mail.smtp.connectiontimeout", "5000");
    props.put("mail.smtp.timeout", "10000");
    props.put("mail.smtp.writetimeout", "10000");
    return sender;
  }
}
