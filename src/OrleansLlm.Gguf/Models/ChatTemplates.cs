namespace OrleansLlm.Gguf.Models;

/// <summary>Jinja chat templates written into generated models (<c>tokenizer.chat_template</c>).</summary>
public static class ChatTemplates
{
    /// <summary>ChatML: what the demo model speaks; llama.cpp recognises it by its <c>&lt;|im_start|&gt;</c> markers.</summary>
    public const string ChatMl =
        "{% for message in messages %}{{'<|im_start|>' + message['role'] + '\n' + message['content'] + '<|im_end|>' + '\n'}}{% endfor %}" +
        "{% if add_generation_prompt %}{{ '<|im_start|>assistant\n' }}{% endif %}";

    /// <summary>The Llama 3 instruct template, for shaped files that stand in for Llama 3 models.</summary>
    public const string Llama3 =
        "{% set loop_messages = messages %}{% for message in loop_messages %}{% set content = '<|start_header_id|>' + message['role'] + " +
        "'<|end_header_id|>\n\n'+ message['content'] | trim + '<|eot_id|>' %}{% if loop.index0 == 0 %}{% set content = bos_token + content %}" +
        "{% endif %}{{ content }}{% endfor %}{% if add_generation_prompt %}{{ '<|start_header_id|>assistant<|end_header_id|>\n\n' }}{% endif %}";
}
